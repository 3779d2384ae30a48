import type { ResourceValidationPolicy } from "@pulumi/policy";
import { ManagedCluster } from "pulumi-codefresh";
import { validateInputsOf } from "../values";

/** Skipping TLS verification lets anyone on the path impersonate the cluster. */
export const tlsVerification: ResourceValidationPolicy = {
  name: "tls-verification",
  description: "Managed clusters keep TLS verification on (insecureSkipTlsVerify is not set).",
  enforcementLevel: "advisory",
  validateResource: validateInputsOf(ManagedCluster, (managed, args, reportViolation) => {
    if (managed.insecureSkipTlsVerify === true) {
      reportViolation(`cluster "${args.name}" skips TLS verification of its API server; put the cluster CA in the kubeconfig instead`);
    }
  }),
};
