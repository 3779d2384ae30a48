// The provider object of every Runtime (see ../shim.ts). It is this module's whole export, so that where the
// package is installed under node_modules Pulumi serializes it as `require("pulumi-codefresh/…/runtime")`.
import { thinProvider } from "../shim";

export = thinProvider("Runtime");
