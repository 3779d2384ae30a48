import type { Faults } from "../faults";
import type { AccountRecord } from "../model";
import type { CodefreshService } from "../service";

/** What every resolver gets: the service and the account the API key belongs to. */
export interface PlatformContext {
  service: CodefreshService;
  faults: Faults;
  account: AccountRecord;
}

/** App-proxy resolvers also know which runtime's app-proxy was called. */
export interface AppProxyContext extends PlatformContext {
  runtime: string;
}
