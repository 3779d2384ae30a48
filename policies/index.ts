// The pack Pulumi runs: `pulumi preview --policy-pack policies [--policy-pack-config config.json]`.
// Rules live in ./rules (one file each) and are listed in ./registry.ts, which tests import without
// starting the pack.
import { PolicyPack } from "@pulumi/policy";
import { policies } from "./registry";

new PolicyPack("codefresh-gitops", {
  description:
    "Codefresh Hosted GitOps Runtime requirements: one runtime per account, Kubernetes >= 1.18, hosted git providers, repo size, public clusters, Enterprise-only plugins, TLS, CRD room.",
  policies,
});
