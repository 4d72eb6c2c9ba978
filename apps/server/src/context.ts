import type { ProcessSettings } from "@guildkit/config";
import type { AppStore, Logger } from "@guildkit/runtime";
import type { Registry } from "prom-client";

/** What every route module receives: settings, the store, a logger and metrics. */
export interface ServerContext {
  settings: ProcessSettings;
  store: AppStore;
  logger: Logger;
  metrics: Registry;
  /** A database round trip, for `/healthz`. */
  ping(): Promise<void>;
}
