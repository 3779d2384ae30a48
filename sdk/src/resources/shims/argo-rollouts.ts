// The provider object of every ArgoRollouts (see ../shim.ts). It is this module's whole export, so that where the
// package is installed under node_modules Pulumi serializes it as `require("pulumi-codefresh/…/argo-rollouts")`.
import { thinProvider } from "../shim";

export = thinProvider("ArgoRollouts");
