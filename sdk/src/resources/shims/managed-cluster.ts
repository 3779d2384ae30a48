// The provider object of every ManagedCluster (see ../shim.ts). It is this module's whole export, so that where the
// package is installed under node_modules Pulumi serializes it as `require("pulumi-codefresh/…/managed-cluster")`.
import { thinProvider } from "../shim";

export = thinProvider("ManagedCluster");
