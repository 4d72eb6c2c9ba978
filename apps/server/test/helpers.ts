import { type ProcessSettings, parseProcessSettings } from "@guildkit/config";
import { type AppStore, createLogger, createMetrics } from "@guildkit/runtime";
import * as sqlite from "@guildkit/store-sqlite";
import { createSqliteTestStore, TEST_SECRET_KEY } from "@guildkit/store-testkit";
import type { ServerContext } from "../src/context";

/** The admin token every server test uses. */
export const TEST_ADMIN_TOKEN = "test-admin-token-0123456789";

/** Process settings for tests; override any field. */
export function testSettings(overrides: Partial<ProcessSettings> = {}): ProcessSettings {
  return {
    ...parseProcessSettings({
      DATABASE_URL: ":memory:",
      PUBLIC_BASE_URL: "http://127.0.0.1:3000",
      STATE_SIGNING_KEY: "test-state-signing-key-0123456789abcdef",
      ADMIN_TOKEN: TEST_ADMIN_TOKEN,
      GUILDKIT_SECRET_KEY: TEST_SECRET_KEY,
      LOG_LEVEL: "silent",
      NODE_ENV: "test",
    }),
    ...overrides,
  };
}

/**
 * A server context on a fresh, migrated SQLite test store (or the store you pass), with a silent
 * logger. Call `teardown()` after the test.
 */
export async function createTestContext(
  options: { store?: AppStore; settings?: Partial<ProcessSettings> } = {},
): Promise<{ ctx: ServerContext; teardown: () => Promise<void> }> {
  const handle = options.store ? null : await createSqliteTestStore(sqlite);
  const store = options.store ?? (handle?.store as AppStore);
  const ctx: ServerContext = {
    settings: testSettings(options.settings),
    store,
    logger: createLogger({ name: "test", level: "silent" }),
    metrics: createMetrics("test"),
    ping: () => store.ping(),
  };
  return { ctx, teardown: async () => handle?.teardown() };
}
