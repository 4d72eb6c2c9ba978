import {
  ConfigConflictError,
  ConfigValidationError,
  createConfigLoader,
  discordConfigSpec,
  maskSecret,
} from "@guildkit/config";
import {
  createMigrationContext,
  decodeJsonObject,
  decodeTime,
  MIGRATION_TABLE,
  type MigrationDb,
  migrations,
  tableExists,
  UniqueViolationError,
} from "@guildkit/store-kysely";
import { sql } from "kysely";
import { expect, it } from "vitest";
import { defineStoreCases } from "../define";
import {
  createSeedSystemDatabase,
  SEED_DISCORD_CONFIG,
  SEED_MEMBERS,
  SEED_WEBHOOKS,
} from "../fixtures/seed-system";

const fixedClock = (iso: string) => {
  let now = new Date(iso);
  return {
    now: () => new Date(now),
    advance(ms: number) {
      now = new Date(now.getTime() + ms);
    },
  };
};

const count = async (db: MigrationDb, table: string, where = sql`1 = 1`) =>
  Number(
    (
      await sql<{ n: number | string }>`select count(*) as n from ${sql.table(table)} where ${where}`.execute(
        db,
      )
    ).rows[0]?.n,
  );

/** Foundation: migrations, the seed-system upgrade, members, config versions, event log. */
export const foundationCases = defineStoreCases("foundation", ({ fresh, dialect }) => {
  // --- migrations -------------------------------------------------------------------------------

  it("migrate() applies every registered migration once; a second call applies nothing and keeps the data", async () => {
    const { store, db } = await fresh({ migrate: false });
    const first = await store.migrate();
    expect(first.applied).toEqual(migrations.map((m) => m.name));
    await store.members.create({ email: "a@example.org" });
    const second = await store.migrate();
    expect(second.applied).toEqual([]);
    expect(await count(db, "members")).toBe(1);
  });

  it("pendingMigrations() lists every registered migration on a fresh database, creates nothing, and is empty once migrated", async () => {
    const { store, db } = await fresh({ migrate: false });
    expect(await store.pendingMigrations()).toEqual(migrations.map((m) => m.name));
    expect(await tableExists(db, dialect, MIGRATION_TABLE)).toBe(false);
    await store.migrate();
    expect(await store.pendingMigrations()).toEqual([]);
    // A migration recorded as applied but missing from the table is pending again.
    const last = migrations[migrations.length - 1]!.name;
    await sql`delete from ${sql.table(MIGRATION_TABLE)} where name = ${last}`.execute(db);
    expect(await store.pendingMigrations()).toEqual([last]);
  });

  it("every migration's up() can run again on a database that already has its tables and columns", async () => {
    const { store, db } = await fresh();
    await store.members.create({ email: "a@example.org", discordUserId: "111111111111111111" });
    for (const migration of migrations) {
      await db.transaction().execute((trx) => migration.up(trx, createMigrationContext(dialect)));
    }
    expect(await count(db, "members")).toBe(1);
    expect((await store.members.findByDiscordUserId("111111111111111111"))?.email).toBe("a@example.org");
  });

  it("a fresh database gets members, event_log, config_versions and discord_link_conflicts", async () => {
    const { db } = await fresh();
    for (const table of ["members", "event_log", "config_versions", "discord_link_conflicts"]) {
      expect(await count(db, table)).toBe(0);
    }
  });

  // --- the seed system's database ----------------------------------------------------------------

  it("upgrades a seed-system database without losing a member row or a column value", async () => {
    const { store, db } = await fresh({ migrate: false });
    await createSeedSystemDatabase(db, dialect, { configShape: "key-value" });
    await store.migrate();

    const rows = await sql<Record<string, unknown>>`select * from members order by id`.execute(db);
    expect(rows.rows).toHaveLength(SEED_MEMBERS.length);
    for (const seed of SEED_MEMBERS) {
      const row = rows.rows.find((r) => String(r.id) === String(seed.id));
      expect(row, `member ${seed.id}`).toBeDefined();
      expect(row?.email).toBe(seed.email);
      expect(row?.name).toBe(seed.name);
      expect(row?.password_hash).toBe(seed.password_hash);
      expect(row?.payment_status).toBe(seed.payment_status);
      expect(row?.discord_email).toBe(seed.discord_email);
      expect(row?.discord_username).toBe(seed.discord_username);
      expect(row?.discord_last_synced === null ? null : Number(row?.discord_last_synced)).toBe(
        seed.discord_last_synced,
      );
      const avatar = row?.discord_avatar as Uint8Array | null;
      expect(avatar === null ? null : [...avatar]).toEqual(
        seed.discord_avatar === null ? null : [...seed.discord_avatar],
      );
      expect(row).toHaveProperty("created_at");
      expect(row).toHaveProperty("updated_at");
    }
    // legacy webhooks untouched (004-webhooks migrates them)
    const hooks = await sql<Record<string, unknown>>`select * from discord_webhooks order by id`.execute(db);
    expect(hooks.rows.map((h) => [Number(h.id), h.webhook_url, h.trigger_event])).toEqual(
      SEED_WEBHOOKS.map((h) => [h.id, h.webhook_url, h.trigger_event]),
    );
  });

  it("duplicate Discord links keep the entitled member, else the lowest id, and move the others to discord_link_conflicts", async () => {
    const { store, db } = await fresh({ migrate: false });
    await createSeedSystemDatabase(db, dialect, { configShape: "key-value" });
    await store.migrate();

    const links = await sql<{
      id: number | string;
      discord_user_id: string | null;
    }>`select id, discord_user_id
      from members order by id`.execute(db);
    expect(links.rows.map((r) => [Number(r.id), r.discord_user_id])).toEqual([
      [1, "111111111111111111"],
      [2, null], // unpaid duplicate of 3 (paid): moved
      [3, "222222222222222222"],
      [4, "333333333333333333"], // both unpaid: the lowest id keeps it
      [5, null],
      [6, null], // "" became NULL
      [7, null],
    ]);
    const conflicts = await db
      .selectFrom("discord_link_conflicts")
      .select(["member_id", "discord_user_id", "detected_at", "resolved_at"])
      .orderBy("member_id")
      .execute();
    expect(conflicts.map((c) => [c.member_id, c.discord_user_id, c.resolved_at])).toEqual([
      ["2", "222222222222222222", null],
      ["5", "333333333333333333", null],
    ]);
    expect(conflicts.every((c) => decodeTime(c.detected_at) instanceof Date)).toBe(true);

    const events = await store.eventLog.list({ kind: "member.discord_link_conflict" });
    expect(events.map((e) => [e.memberId, e.discordUserId, e.level]).sort()).toEqual([
      ["2", "222222222222222222", "warn"],
      ["5", "333333333333333333", "warn"],
    ]);
    expect(events.find((e) => e.memberId === "2")?.data).toEqual({ keptMemberId: "3", reason: "entitled" });

    // and from now on a Discord account links to one member only
    await expect(
      db
        .insertInto("members")
        .values({ email: "x@example.org", discord_user_id: "111111111111111111" })
        .execute(),
    ).rejects.toThrow();
  });

  it("imports a key/value discord_config as discord configuration version 1, role_id becoming role_ids", async () => {
    const { store, db } = await fresh({ migrate: false });
    await createSeedSystemDatabase(db, dialect, { configShape: "key-value" });
    await store.migrate();

    const rows = await db.selectFrom("config_versions").selectAll().execute();
    expect(rows).toHaveLength(1);
    expect(rows[0]?.module).toBe("discord");
    expect(Number(rows[0]?.version)).toBe(1);
    expect(rows[0]?.created_by).toBe("migration:001-foundation");
    // the secrets are sealed at rest (migration 008-secrets); the loader opens them
    expect(decodeJsonObject(dialect, rows[0]?.values)).toEqual({
      client_id: SEED_DISCORD_CONFIG.client_id,
      client_secret: expect.stringMatching(/^gk-sealed:v1:/),
      bot_token: expect.stringMatching(/^gk-sealed:v1:/),
      guild_id: SEED_DISCORD_CONFIG.guild_id,
      role_ids: [SEED_DISCORD_CONFIG.role_id],
      sync_interval_hours: 12,
    });
    const loaded = await createConfigLoader({ store: store.configStore, spec: discordConfigSpec }).load();
    expect(loaded.role_ids).toEqual([SEED_DISCORD_CONFIG.role_id]);
    expect(loaded.sync_interval_hours).toBe(12);
    expect(loaded.client_secret).toBe(SEED_DISCORD_CONFIG.client_secret);
    expect(loaded.bot_token).toBe(SEED_DISCORD_CONFIG.bot_token);
    // the legacy table keeps its rows
    expect(await count(db, "discord_config")).toBe(Object.keys(SEED_DISCORD_CONFIG).length);
    // the import is logged without values
    const [imported] = await store.eventLog.list({ kind: "config.imported" });
    expect(JSON.stringify(imported)).not.toContain(SEED_DISCORD_CONFIG.client_secret);
  });

  it("imports a one-row-of-columns discord_config the same way, once", async () => {
    const { store, db } = await fresh({ migrate: false });
    await createSeedSystemDatabase(db, dialect, { configShape: "columns" });
    await store.migrate();
    for (const migration of migrations) {
      await db.transaction().execute((trx) => migration.up(trx, createMigrationContext(dialect)));
    }
    const latest = await store.configStore.latest({ module: "discord" });
    expect(latest?.version).toBe(1);
    expect(latest?.values.role_ids).toEqual([SEED_DISCORD_CONFIG.role_id]);
    expect(latest?.values.sync_interval_hours).toBe(12);
    expect(latest?.values).not.toHaveProperty("role_id");
    expect(await count(db, "config_versions")).toBe(1);
    expect(await count(db, "discord_link_conflicts")).toBe(2);
  });

  // --- members -----------------------------------------------------------------------------------

  it("discord_user_id is unique when set: two NULLs are fine, a duplicate is a UniqueViolationError", async () => {
    const { store, db } = await fresh();
    await store.members.create({ email: "a@example.org" });
    await store.members.create({ email: "b@example.org" });
    const linked = await store.members.create({
      email: "c@example.org",
      discordUserId: "444444444444444444",
    });
    const error = await store.members
      .create({ email: "d@example.org", discordUserId: "444444444444444444" })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UniqueViolationError);
    expect(error).toMatchObject({ code: "unique_violation", table: "members", columns: ["discord_user_id"] });
    expect(await count(db, "members")).toBe(3);
    const other = await store.members.create({ email: "e@example.org" });
    await expect(
      store.members.update(other.id, { discordUserId: "444444444444444444" }),
    ).rejects.toBeInstanceOf(UniqueViolationError);
    const stored = await db
      .selectFrom("members")
      .select("discord_user_id")
      .where("id", "=", linked.id)
      .executeTakeFirst();
    expect(stored?.discord_user_id).toBe("444444444444444444");
  });

  it("the member repository creates, finds and updates members, read back directly", async () => {
    const clock = fixedClock("2025-03-01T10:00:00.000Z");
    const { store, db } = await fresh({ clock });
    const avatar = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 1, 2, 3]);
    const created = await store.members.create({
      name: "Alice",
      email: "Alice@Example.org",
      paymentStatus: "active",
      discordUserId: "555555555555555555",
      discordUsername: "alice",
      discordAvatar: avatar,
    });
    expect(created.id).toMatch(/^\d+$/);
    expect(created.createdAt?.toISOString()).toBe("2025-03-01T10:00:00.000Z");

    const row = await db
      .selectFrom("members")
      .selectAll()
      .where("id", "=", created.id)
      .executeTakeFirstOrThrow();
    expect(row.email).toBe("Alice@Example.org");
    expect(row.payment_status).toBe("active");
    expect([...(row.discord_avatar ?? [])]).toEqual([...avatar]);

    expect((await store.members.getById(created.id))?.discordUserId).toBe("555555555555555555");
    expect((await store.members.findByDiscordUserId("555555555555555555"))?.id).toBe(created.id);
    expect((await store.members.findByEmail("  alice@EXAMPLE.org "))?.id).toBe(created.id);
    expect(await store.members.getById("999999")).toBeNull();
    expect(await store.members.getById("not-a-number")).toBeNull();
    expect(await store.members.findByDiscordUserId("666666666666666666")).toBeNull();
    expect(await store.members.findByEmail("nobody@example.org")).toBeNull();

    clock.advance(60_000);
    const updated = await store.members.update(created.id, {
      discordUserId: null,
      discordUsername: "alice2",
    });
    expect(updated?.discordUserId).toBeNull();
    expect(updated?.discordUsername).toBe("alice2");
    expect(updated?.name).toBe("Alice"); // absent keys are kept
    expect(updated?.updatedAt?.toISOString()).toBe("2025-03-01T10:01:00.000Z");
    const after = await db
      .selectFrom("members")
      .selectAll()
      .where("id", "=", created.id)
      .executeTakeFirstOrThrow();
    expect(after.discord_user_id).toBeNull();
    expect(after.discord_username).toBe("alice2");
    expect(await store.members.update("999999", { name: "x" })).toBeNull();
  });

  // --- config versions ---------------------------------------------------------------------------

  it("config versions: the latest wins, history is newest first, each save is a new row", async () => {
    const { store, db } = await fresh();
    expect(await store.configStore.latest({ module: "discord" })).toBeNull();
    expect(
      await store.configStore.save({ module: "discord", values: { guild_id: "1" }, createdBy: "admin:1" }),
    ).toBe(1);
    expect(await store.configStore.save({ module: "discord", values: { guild_id: "2" } })).toBe(2);
    expect(await store.configStore.save({ module: "other", values: { a: true } })).toBe(1);

    const latest = await store.configStore.latest({ module: "discord" });
    expect(latest).toMatchObject({
      module: "discord",
      version: 2,
      values: { guild_id: "2" },
      createdBy: null,
    });
    expect(latest?.createdAt).toBeInstanceOf(Date);
    const history = await store.configStore.history({ module: "discord", limit: 10 });
    expect(history.map((v) => [v.version, v.values.guild_id, v.createdBy])).toEqual([
      [2, "2", null],
      [1, "1", "admin:1"],
    ]);
    expect(await store.configStore.history({ module: "discord", limit: 1 })).toHaveLength(1);
    expect(await count(db, "config_versions", sql`module = 'discord'`)).toBe(2);
  });

  it("a save based on an old version is a ConfigConflictError and writes nothing", async () => {
    const { store, db } = await fresh();
    expect(await store.configStore.save({ module: "discord", values: { a: 1 }, expectedVersion: 0 })).toBe(1);
    expect(await store.configStore.save({ module: "discord", values: { a: 2 }, expectedVersion: 1 })).toBe(2);
    const error = await store.configStore
      .save({ module: "discord", values: { a: 3 }, expectedVersion: 1 })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigConflictError);
    expect(error).toMatchObject({ code: "config_conflict", expectedVersion: 1, actualVersion: 2 });
    expect(await count(db, "config_versions")).toBe(2);

    const racing = await Promise.allSettled([
      store.configStore.save({ module: "discord", values: { a: 4 }, expectedVersion: 2 }),
      store.configStore.save({ module: "discord", values: { a: 5 }, expectedVersion: 2 }),
    ]);
    expect(racing.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    const rejected = racing.find((r) => r.status === "rejected");
    expect(rejected?.status === "rejected" && rejected.reason).toBeInstanceOf(ConfigConflictError);
    expect(await count(db, "config_versions")).toBe(3);
  });

  it("a loader save that fails validation writes nothing and names every bad field", async () => {
    const { store, db } = await fresh();
    const loader = createConfigLoader({ store: store.configStore, spec: discordConfigSpec });
    await loader.save({ client_id: "100000000000000001", bot_token: "a.b.c-secret-token-value" });
    const error = await loader
      .save({ guild_id: "not-a-snowflake", sync_interval_hours: 500, role_ids: ["x"] })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigValidationError);
    expect((error as ConfigValidationError).issues.map((i) => i.field).sort()).toEqual([
      "guild_id",
      "role_ids",
      "sync_interval_hours",
    ]);
    expect(await count(db, "config_versions")).toBe(1);

    const described = await loader.describe();
    expect(described.fields.find((f) => f.key === "bot_token")?.value).toBe(
      maskSecret("a.b.c-secret-token-value"),
    );
    expect(JSON.stringify(described)).not.toContain("a.b.c-secret-token-value");
  });

  // --- event log ---------------------------------------------------------------------------------

  it("the event log appends entries stamped by the clock and lists them newest first with filters", async () => {
    const clock = fixedClock("2025-01-01T00:00:00.000Z");
    const { store, db } = await fresh({ clock });
    await store.eventLog.append({
      kind: "oauth.callback",
      level: "info",
      message: "linked",
      memberId: "1",
      data: { a: 1 },
    });
    clock.advance(1000);
    await store.eventLog.append({
      kind: "discord.api_error",
      level: "error",
      message: "403 Missing Permissions",
      memberId: "2",
      discordUserId: "777777777777777777",
      data: {
        status: 403,
        code: 50013,
        route: "PUT /guilds/:id/members/:id/roles/:id",
        botToken: "must-not-be-stored",
      },
    });
    clock.advance(1000);
    await store.eventLog.append({ kind: "discord.rate_limited", level: "warn", message: "429" });

    const rows = await db.selectFrom("event_log").selectAll().orderBy("id").execute();
    expect(rows.map((r) => [r.kind, r.level, r.member_id, r.discord_user_id])).toEqual([
      ["oauth.callback", "info", "1", null],
      ["discord.api_error", "error", "2", "777777777777777777"],
      ["discord.rate_limited", "warn", null, null],
    ]);
    expect(decodeTime(rows[0]?.at)?.toISOString()).toBe("2025-01-01T00:00:00.000Z");
    expect(decodeJsonObject(dialect, rows[1]?.data)).toMatchObject({
      status: 403,
      code: 50013,
      botToken: "[redacted]",
    });
    expect(JSON.stringify(rows)).not.toContain("must-not-be-stored");
    expect(rows[2]?.data).toBeNull();

    const all = await store.eventLog.list();
    expect(all.map((e) => e.kind)).toEqual(["discord.rate_limited", "discord.api_error", "oauth.callback"]);
    expect(all[2]).toMatchObject({ memberId: "1", data: { a: 1 }, at: new Date("2025-01-01T00:00:00.000Z") });
    expect((await store.eventLog.list({ kind: "oauth.callback" })).map((e) => e.message)).toEqual(["linked"]);
    expect((await store.eventLog.list({ kindPrefix: "discord." })).map((e) => e.kind)).toEqual([
      "discord.rate_limited",
      "discord.api_error",
    ]);
    expect((await store.eventLog.list({ memberId: "2" })).map((e) => e.kind)).toEqual(["discord.api_error"]);
    expect((await store.eventLog.list({ level: "warn" })).map((e) => e.kind)).toEqual([
      "discord.rate_limited",
    ]);
    expect((await store.eventLog.list({ limit: 1 })).map((e) => e.kind)).toEqual(["discord.rate_limited"]);
    expect(
      (await store.eventLog.list({ before: new Date("2025-01-01T00:00:01.500Z") })).map((e) => e.kind),
    ).toEqual(["discord.api_error", "oauth.callback"]);
  });

  // --- transactions ------------------------------------------------------------------------------

  it("transaction() commits every port's writes together, or none when the function throws", async () => {
    const { store, db } = await fresh();
    await store.transaction(async (ports) => {
      const member = await ports.members.create({ email: "t@example.org" });
      await ports.eventLog.append({
        kind: "member.created",
        level: "info",
        message: "created",
        memberId: member.id,
      });
    });
    await expect(
      store.transaction(async (ports) => {
        await ports.members.create({ email: "rolled-back@example.org" });
        await ports.eventLog.append({ kind: "member.created", level: "info", message: "created" });
        throw new Error("boom");
      }),
    ).rejects.toThrow("boom");
    expect(await count(db, "members")).toBe(1);
    expect(await count(db, "event_log")).toBe(1);
    await store.ping();
  });

  it("databaseTime() reads the database server's clock (the one every worker on it shares), moving forward", async () => {
    const { store } = await fresh();
    const first = await store.databaseTime();
    const second = await store.databaseTime();
    expect(first).toBeInstanceOf(Date);
    // The server runs on this machine in the conformance runs: within a minute of its clock.
    expect(Math.abs(first.getTime() - Date.now())).toBeLessThan(60_000);
    expect(second.getTime()).toBeGreaterThanOrEqual(first.getTime());
  });
});
