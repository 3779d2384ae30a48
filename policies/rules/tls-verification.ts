import type { ResourceValidationPolicy } from "@pulumi/policy";
import { read, types } from "../values";

/** Skipping TLS verification lets anyone on the path impersonate the cluster. */
export const tlsVerification: ResourceValidationPolicy = {
  name: "tls-verification",
  description: "Managed clusters keep TLS verification on (insecureSkipTlsVerify is not set).",
  enforcementLevel: "advisory",
  validateResource: (args, reportViolation) => {
    if (args.type !== types.ManagedCluster) return;
    const skip = read<boolean>(args.props, "insecureSkipTlsVerify");
    if (skip === true) {
      reportViolation(`cluster "${args.name}" skips TLS verification of its API server; put the cluster CA in the kubeconfig instead`);
    }
  },
};
