import { ConfigConflictError, type ConfigStore, type ConfigVersion } from "@guildkit/config";
import type { SecretBox } from "@guildkit/core";
import type { Kysely } from "kysely";
import { decodeInteger, decodeJsonObject, decodeTime, encodeJson, encodeTime } from "./codec";
import { type Clock, type Dialect, systemClock } from "./dialect";
import { isUniqueViolation } from "./errors";
import type { Database } from "./schema";

const MAX_BLIND_SAVE_ATTEMPTS = 3;

/**
 * The `ConfigStore` port of `@guildkit/config` on the `config_versions` table. Versions are
 * numbered per module in a transaction; the unique (module, version) index turns a concurrent save
 * into a `ConfigConflictError` (with `expectedVersion`) or a retry (without). `secretBox` is handed
 * to every config loader on this store (they seal secret fields with it); the store itself writes
 * values as it is given them.
 */
export function createConfigStore(
  db: Kysely<Database>,
  dialect: Dialect,
  clock: Clock = systemClock,
  secretBox: SecretBox | null = null,
): ConfigStore {
  const toVersion = (row: {
    module: string;
    version: number;
    values: unknown;
    created_at: unknown;
    created_by: string | null;
  }): ConfigVersion => ({
    module: row.module,
    version: decodeInteger(row.version),
    values: decodeJsonObject(dialect, row.values),
    createdAt: decodeTime(row.created_at) ?? new Date(0),
    createdBy: row.created_by,
  });

  const latestVersionNumber = async (executor: Kysely<Database>, module: string): Promise<number> => {
    const row = await executor
      .selectFrom("config_versions")
      .select((eb) => eb.fn.max("version").as("version"))
      .where("module", "=", module)
      .executeTakeFirst();
    return row?.version === null || row?.version === undefined ? 0 : decodeInteger(row.version);
  };

  return {
    secretBox,

    async latest({ module, signal }) {
      signal?.throwIfAborted();
      const row = await db
        .selectFrom("config_versions")
        .select(["module", "version", "values", "created_at", "created_by"])
        .where("module", "=", module)
        .orderBy("version", "desc")
        .limit(1)
        .executeTakeFirst();
      return row ? toVersion(row) : null;
    },

    async save({ module, values, createdBy = null, expectedVersion = null, signal }) {
      for (let attempt = 1; ; attempt++) {
        signal?.throwIfAborted();
        try {
          return await db.transaction().execute(async (trx) => {
            const current = await latestVersionNumber(trx, module);
            if (expectedVersion !== null && expectedVersion !== current) {
              throw new ConfigConflictError(module, expectedVersion, current);
            }
            const version = current + 1;
            await trx
              .insertInto("config_versions")
              .values({
                module,
                version,
                values: encodeJson(values),
                created_at: encodeTime(dialect, clock.now()),
                created_by: createdBy,
              })
              .execute();
            return version;
          });
        } catch (error) {
          if (!isUniqueViolation(error, dialect)) throw error;
          if (expectedVersion !== null || attempt >= MAX_BLIND_SAVE_ATTEMPTS) {
            const actual = await latestVersionNumber(db, module);
            throw new ConfigConflictError(module, expectedVersion ?? actual - 1, actual);
          }
        }
      }
    },

    async history({ module, limit = 20, signal }) {
      signal?.throwIfAborted();
      const rows = await db
        .selectFrom("config_versions")
        .select(["module", "version", "values", "created_at", "created_by"])
        .where("module", "=", module)
        .orderBy("version", "desc")
        .limit(Math.max(1, Math.min(limit, 1000)))
        .execute();
      return rows.map(toVersion);
    },
  };
}
