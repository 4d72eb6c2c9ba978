import type { SecretBox } from "@guildkit/core";
import { createMemoryConfigStore } from "./memory-config-store";
import type { ConfigStore, ConfigVersion } from "./store";

/**
 * For this package's tests: `createMemoryConfigStore` holding `initial` as version 1 of the `discord`
 * module when given. `versions` is the backdoor the tests read.
 */
export function memoryConfigStore(
  options: { secretBox?: SecretBox | null; initial?: Record<string, unknown> | null } = {},
): { store: ConfigStore; versions: ConfigVersion[] } {
  const at = new Date("2026-01-01T00:00:00Z");
  const store = createMemoryConfigStore({ clock: { now: () => at }, secretBox: options.secretBox });
  if (options.initial) {
    store.versions.push({
      module: "discord",
      version: 1,
      values: options.initial,
      createdAt: at,
      createdBy: null,
    });
  }
  return { store, versions: store.versions };
}
