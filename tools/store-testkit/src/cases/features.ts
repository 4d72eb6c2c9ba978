import {
  listTables,
  MIGRATION_LOCK_TABLE,
  MIGRATION_TABLE,
  migrations,
  StoreNotMigratedError,
  UnknownStoreFeatureError,
} from "@guildkit/store-kysely";
import { describe, expect, it } from "vitest";
import { defineStoreCases } from "../define";

const BOOKKEEPING = [MIGRATION_TABLE, MIGRATION_LOCK_TABLE];

/** The tables each feature's migrations create on an empty database (beside the bookkeeping). */
export const FEATURE_TABLES = {
  foundation: ["admin_sessions", "config_versions", "event_log", "task_status"],
  members: ["discord_link_conflicts", "members"],
  "role-sync": ["role_connection_state", "role_grants", "role_sync_settings", "role_sync_state"],
  login: ["member_oauth_tokens", "oauth_states", "sessions"],
  webhooks: ["discord_webhooks", "webhook_event", "webhook_outbox"],
  speedbump: [
    "pk_member_senders",
    "pk_members",
    "speedbump_channels",
    "speedbump_holds",
    "speedbump_proxy_users",
    "speedbump_unresolved",
  ],
} as const;

const sorted = (...lists: readonly (readonly string[])[]) => [...new Set(lists.flat())].sort();

/**
 * Stores per feature: `migrate({ features })` creates exactly the tables of those features (the
 * foundation's, the member table's for role sync and login, then each feature's), a later call with
 * more features adds the rest, a store serves only its features' ports, and a store whose features'
 * migrations have not run says which to run.
 */
export const featureCases = defineStoreCases("features", ({ fresh, dialect }) => {
  describe("migrate({ features })", () => {
    it('migrate({ features: ["role-sync"] }) on an empty database creates only role sync\'s tables', async () => {
      const { store, db } = await fresh({ migrate: false });
      await store.migrate({ features: ["role-sync"] });
      expect(await listTables(db, dialect)).toEqual(
        sorted(BOOKKEEPING, FEATURE_TABLES.foundation, FEATURE_TABLES.members, FEATURE_TABLES["role-sync"]),
      );
      expect(await listTables(db, dialect)).toEqual([
        "admin_sessions",
        "config_versions",
        "discord_link_conflicts",
        "event_log",
        "guildkit_migration",
        "guildkit_migration_lock",
        "members",
        "role_connection_state",
        "role_grants",
        "role_sync_settings",
        "role_sync_state",
        "task_status",
      ]);
    });

    it("each feature alone creates the foundation, the member table when it needs one, and its own tables", async () => {
      const cases = [
        ["login", [FEATURE_TABLES.members, FEATURE_TABLES.login]],
        ["webhooks", [FEATURE_TABLES.webhooks]],
        ["speedbump", [FEATURE_TABLES.speedbump]],
      ] as const;
      for (const [feature, lists] of cases) {
        const { store, db } = await fresh({ migrate: false, features: [feature] });
        await store.migrate();
        expect(await listTables(db, dialect), feature).toEqual(
          sorted(BOOKKEEPING, FEATURE_TABLES.foundation, ...lists),
        );
      }
    });

    it("a later migrate() with more features adds only the missing tables and migrations", async () => {
      const { store, db } = await fresh({ migrate: false });
      const first = await store.migrate({ features: ["webhooks"] });
      const tagged = (...groups: string[]) =>
        migrations.filter((m) => groups.includes(m.feature ?? "foundation")).map((m) => m.name);
      expect(first.applied).toEqual(tagged("foundation", "webhooks"));
      expect(first.applied).toEqual(
        expect.arrayContaining(["001-foundation", "004-webhooks", "008-secrets"]),
      );
      const second = await store.migrate({ features: ["webhooks", "role-sync"] });
      expect(second.applied).toEqual([
        "001-members",
        "002-role-sync",
        "006-role-sync-settings",
        "013-role-grant-lifecycle",
        "015-role-connections",
      ]);
      expect(await listTables(db, dialect)).toEqual(
        sorted(
          BOOKKEEPING,
          FEATURE_TABLES.foundation,
          FEATURE_TABLES.members,
          FEATURE_TABLES["role-sync"],
          FEATURE_TABLES.webhooks,
        ),
      );
      expect((await store.migrate()).applied).toEqual([
        "003-oauth",
        "005-speedbump",
        "009-sessions",
        "012-member-tokens",
      ]);
      expect(await store.pendingMigrations()).toEqual([]);
    });
  });

  describe("a store per feature", () => {
    it("has only the ports of its features, besides the foundation's", async () => {
      const { store } = await fresh({ features: ["role-sync"] });
      expect(store.features).toEqual(["role-sync"]);
      expect(Object.keys(store).filter((k) => !(k in CORE))).toEqual(
        expect.arrayContaining(["configStore", "secrets", "eventLog", "retention", "members", "roleSync"]),
      );
      for (const absent of ["oauth", "webhooks", "speedbump"]) expect(store).not.toHaveProperty(absent);
      // retention without the outbox purges the event log only
      expect(await store.retention.purge()).toEqual({ deliveredEvents: 0, eventLog: 0, statements: 1 });
      await store.transaction(async (ports) => {
        expect(ports).toHaveProperty("roleSync");
        expect(ports).not.toHaveProperty("webhooks");
      });
    });

    it("on a database not migrated for its features, assertMigrated and the features' ports throw StoreNotMigratedError naming the migrations to run", async () => {
      const { store: narrow } = await fresh({ features: ["webhooks"] });
      expect(await narrow.pendingMigrations()).toEqual([]);
      await narrow.assertMigrated();
      const { store } = await fresh({ migrate: false, features: ["role-sync", "webhooks"] });
      await store.migrate({ features: ["webhooks"] });
      const error = await store.assertMigrated().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(StoreNotMigratedError);
      expect(error).toMatchObject({
        code: "store_not_migrated",
        features: ["role-sync"],
        migrations: [
          "001-members",
          "002-role-sync",
          "006-role-sync-settings",
          "013-role-grant-lifecycle",
          "015-role-connections",
        ],
      });
      expect((error as Error).message).toMatch(/store\.migrate\(\{ features: \["role-sync"\] \}\)/);
      // the feature's ports say the same on their first call, in a transaction too
      const now = new Date("2026-01-01T00:00:00.000Z");
      await expect(store.roleSync.queue.countDue({ now })).rejects.toBeInstanceOf(StoreNotMigratedError);
      await expect(store.transaction((ports) => ports.members.getById("1"))).rejects.toBeInstanceOf(
        StoreNotMigratedError,
      );
      await store.migrate();
      await store.assertMigrated();
      expect(await store.roleSync.queue.countDue({ now })).toBe(0);
      expect(await store.transaction((ports) => ports.members.getById("1"))).toBeNull();
    });

    it("refuses a feature it does not know, with UnknownStoreFeatureError", async () => {
      await expect(fresh({ features: ["payments" as "login"] })).rejects.toBeInstanceOf(
        UnknownStoreFeatureError,
      );
    });
  });
});

/** The store members that are not ports. */
const CORE = {
  dialect: 1,
  kysely: 1,
  features: 1,
  membersTable: 1,
  migrate: 1,
  pendingMigrations: 1,
  assertMigrated: 1,
  ping: 1,
  transaction: 1,
  close: 1,
  schema: 1,
  webhookWakeups: 1,
};
