import { decodeInteger, decodeJsonObject, decodeTime } from "@guildkit/store-kysely";
import { describe } from "vitest";
import { defineStoreCases } from "../define";
import { defineConfigStoreCases } from "../ports/config-store";
import { defineEventLogCases } from "../ports/event-log";

/**
 * The shared ports' conformance kits on the SQL stores: `store.configStore` (the `ConfigStore` of
 * `@guildkit/config`, on `config_versions`) and `store.eventLog` (the `EventLog` of `@guildkit/core`,
 * on `event_log`), each write read back from its table.
 */
export const portCases = defineStoreCases("ports", ({ fresh, dialect }) => {
  describe("ConfigStore port", () =>
    defineConfigStoreCases(async () => {
      const { store, db } = await fresh();
      return {
        store: store.configStore,
        versions: async (module) => {
          const rows = await db
            .selectFrom("config_versions")
            .select(["module", "version", "values", "created_at", "created_by"])
            .where("module", "=", module)
            .orderBy("version", "asc")
            .execute();
          return rows.map((row) => ({
            module: row.module,
            version: decodeInteger(row.version),
            values: decodeJsonObject(dialect, row.values),
            createdAt: decodeTime(row.created_at) as Date,
            createdBy: row.created_by,
          }));
        },
      };
    }));

  describe("EventLog port", () =>
    defineEventLogCases(async () => {
      const { store, db } = await fresh();
      return {
        eventLog: store.eventLog,
        entries: async () => {
          const rows = await db
            .selectFrom("event_log")
            .select(["kind", "level", "message", "member_id", "discord_user_id", "data"])
            .orderBy("id", "asc")
            .execute();
          return rows.map((row) => ({
            kind: row.kind,
            level: row.level,
            message: row.message,
            memberId: row.member_id,
            discordUserId: row.discord_user_id,
            data: decodeJsonObject(dialect, row.data),
          }));
        },
      };
    }));
});
