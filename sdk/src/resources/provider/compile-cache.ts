// Imported first by ../providers.ts, in the provider process only: Node's on-disk compile cache for what loads
// after it (this package, undici, yaml, and @kubernetes/client-node, an ES module compiled on every start).
// Pulumi starts a provider process for every `up`, `preview`, `refresh` and `destroy`; the cache saves
// ~0.2 s of each start here. Node's own switches apply: NODE_COMPILE_CACHE moves it (default: the OS's
// temporary directory), NODE_DISABLE_COMPILE_CACHE=1 turns it off. Node < 22.1 has no cache: nothing happens.
import nodeModule = require("node:module");

(nodeModule as { enableCompileCache?: () => unknown }).enableCompileCache?.();
