// The provider object of every SharedConfigRepo (see ../shim.ts). It is this module's whole export, so that where the
// package is installed under node_modules Pulumi serializes it as `require("pulumi-codefresh/…/shared-config-repo")`.
import { thinProvider } from "../shim";

export = thinProvider("SharedConfigRepo");
