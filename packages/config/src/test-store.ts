import type { SecretBox } from "@guildkit/core";
import type { ConfigStore, ConfigVersion } from "./store";

/**
 * For this package's tests: an in-memory `ConfigStore` of the `discord` module, holding `initial` as
 * version 1 when given. `versions` is the backdoor the tests read.
 */
export function memoryConfigStore(
  options: { secretBox?: SecretBox | null; initial?: Record<string, unknown> | null } = {},
): { store: ConfigStore; versions: ConfigVersion[] } {
  const versions: ConfigVersion[] = [];
  const at = new Date("2026-01-01T00:00:00Z");
  const push = (values: Record<string, unknown>) =>
    versions.push({
      module: "discord",
      version: versions.length + 1,
      values,
      createdAt: at,
      createdBy: null,
    });
  if (options.initial) push(options.initial);
  const store: ConfigStore = {
    secretBox: options.secretBox ?? null,
    async latest() {
      return versions.at(-1) ?? null;
    },
    async save({ values }) {
      return push(structuredClone(values));
    },
    async history({ limit = 20 }) {
      return [...versions].reverse().slice(0, limit);
    },
  };
  return { store, versions };
}
