// The provider object of every HostedRuntime (see ../shim.ts). It is this module's whole export, so that where the
// package is installed under node_modules Pulumi serializes it as `require("pulumi-codefresh/…/hosted-runtime")`.
import { thinProvider } from "../shim";

export = thinProvider("HostedRuntime");
