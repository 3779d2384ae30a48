// The demo's root program. Until the Codefresh resources land (HostedRuntime, SharedConfigRepo,
// GitSource, ManagedCluster), it runs the toolchain probe: one dynamic resource that owns a file.
import * as probe from "../test/fixtures/toolchain";

export const path = probe.path;
export const bytes = probe.bytes;
