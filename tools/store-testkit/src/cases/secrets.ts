import { ConfigValidationError, createConfigLoader, discordConfigSpec, maskSecret } from "@guildkit/config";
import { isSealedSecret, SecretBoxError, sealedKeyId } from "@guildkit/core";
import {
  createConfigStore,
  createSecretStore,
  type Database,
  type Dialect,
  decodeJsonObject,
  encodeJson,
  migrateToLatest,
  migrations,
  SecretKeyRequiredError,
} from "@guildkit/store-kysely";
import { type Kysely, sql } from "kysely";
import { expect, it } from "vitest";
import { defineStoreCases } from "../define";
import { createSeedSystemDatabase, SEED_DISCORD_CONFIG } from "../fixtures/seed-system";
import { TEST_SECRET_KEY, TEST_SECRET_KEY_2, testSecretBox } from "../secret-box";

const SECRETS = [SEED_DISCORD_CONFIG.client_secret, SEED_DISCORD_CONFIG.bot_token];
const BEFORE_008 = migrations.filter((m) => m.name < "008-secrets");

/** The raw secrets of `discord_config` (either shape): client secret, then bot token. */
async function legacySecrets(db: Kysely<Database>): Promise<string[]> {
  const kv = await sql<{
    k: string;
    v: string;
  }>`select key as k, cast(value as text) as v from discord_config`
    .execute(db)
    .catch(() => null);
  if (kv) {
    const of = (key: string) => kv.rows.find((r) => r.k === key)?.v;
    return [of("client_secret"), of("bot_token")].filter((v): v is string => typeof v === "string");
  }
  const row = await sql<{
    a: string;
    b: string;
  }>`select client_secret as a, bot_token as b from discord_config`.execute(db);
  return row.rows.flatMap((r) => [r.a, r.b]);
}

/** Every secret field value of `config_versions` and every secret of `discord_config`, raw. */
async function storedSecrets(db: Kysely<Database>, dialect: Dialect): Promise<string[]> {
  const rows = await db.selectFrom("config_versions").select("values").orderBy("id").execute();
  const config = rows.flatMap((r) => {
    const v = decodeJsonObject(dialect, r.values);
    return [v.client_secret, v.bot_token].filter((x): x is string => typeof x === "string");
  });
  return [...config, ...(await legacySecrets(db))];
}

/** Everything the database holds, as text (a poor man's dump): no secret may be in it. */
async function dumpText(db: Kysely<Database>, dialect: Dialect): Promise<string> {
  const tables =
    dialect === "postgres"
      ? await sql<{ name: string }>`select table_name as name from information_schema.tables
          where table_schema = current_schema() and table_type = 'BASE TABLE'`.execute(db)
      : await sql<{ name: string }>`select name from sqlite_master where type = 'table'`.execute(db);
  let out = "";
  for (const { name } of tables.rows) {
    const rows = await sql`select * from ${sql.table(name)}`.execute(db);
    out += JSON.stringify(rows.rows, (_k, v) => (typeof v === "bigint" ? String(v) : v));
  }
  return out;
}

/** A seed-system database migrated up to 007 (secrets in plaintext), with one more plaintext version. */
async function plaintextDatabase(db: Kysely<Database>, dialect: Dialect, shape: "key-value" | "columns") {
  await createSeedSystemDatabase(db, dialect, { configShape: shape });
  await migrateToLatest(db, dialect, { migrations: BEFORE_008 });
  const v1 = decodeJsonObject(
    dialect,
    (await db.selectFrom("config_versions").select("values").executeTakeFirstOrThrow()).values,
  );
  await db
    .insertInto("config_versions")
    .values({
      module: "discord",
      version: 2,
      values: encodeJson({ ...v1, bot_token: "history.bot.token-v2" }),
      created_at: new Date().toISOString(),
      created_by: "admin",
    })
    .execute();
}

/** Secrets at rest: migration 008, the config store's box, key rotation. */
export const secretCases = defineStoreCases("secrets", ({ fresh, dialect }) => {
  for (const shape of ["key-value", "columns"] as const) {
    it(`migration 008 seals every plaintext secret: every config version and the ${shape} discord_config`, async () => {
      const { store, db } = await fresh({ migrate: false });
      await plaintextDatabase(db, dialect, shape);
      expect(await dumpText(db, dialect)).toContain(SEED_DISCORD_CONFIG.bot_token);

      expect((await store.migrate()).applied).toContain("008-secrets");
      const stored = await storedSecrets(db, dialect);
      expect(stored).toHaveLength(6);
      expect(stored.every((v) => isSealedSecret(v) && sealedKeyId(v) === testSecretBox().currentKeyId)).toBe(
        true,
      );
      const dump = await dumpText(db, dialect);
      for (const secret of [...SECRETS, "history.bot.token-v2"]) expect(dump).not.toContain(secret);
      // what is not secret is left as it was
      expect(dump).toContain(SEED_DISCORD_CONFIG.guild_id);

      const loader = createConfigLoader({ store: store.configStore, spec: discordConfigSpec });
      expect(await loader.load()).toMatchObject({
        bot_token: "history.bot.token-v2",
        client_secret: SECRETS[0],
      });
      const history = await loader.history();
      expect(history.map((h) => h.values.bot_token)).toEqual([
        maskSecret("history.bot.token-v2"),
        maskSecret(SEED_DISCORD_CONFIG.bot_token),
      ]);
      const [event] = await store.eventLog.list({ kind: "secrets.sealed" });
      expect(event?.data?.locations).toContain("config_versions discord v2 bot_token");
      expect(JSON.stringify(event)).not.toContain(SEED_DISCORD_CONFIG.bot_token);
    });
  }

  it("with plaintext secrets and no key, migrate fails with SecretKeyRequiredError and changes nothing", async () => {
    const { store, db } = await fresh({ migrate: false, secretBox: null });
    await createSeedSystemDatabase(db, dialect, { configShape: "key-value" });
    const error = await store.migrate().catch((e) => e);
    expect(error).toBeInstanceOf(SecretKeyRequiredError);
    expect(error).toMatchObject({ code: "secret_key_required", migration: "008-secrets" });
    expect((error as Error).message).toContain("GUILDKIT_SECRET_KEY");
    expect((error as Error).message).not.toContain(SEED_DISCORD_CONFIG.bot_token);
    expect((error as SecretKeyRequiredError).locations).toContain("discord_config bot_token");
    // the whole upgrade was rolled back: no migration recorded, the legacy table as it was
    const recorded = await sql<{ n: number }>`select count(*) as n from ${sql.table("guildkit_migration")}`
      .execute(db)
      .then((r) => Number(r.rows[0]?.n))
      .catch(() => 0);
    expect(recorded).toBe(0);
    expect(await legacySecrets(db)).toEqual(SECRETS);

    // given the key, the same migration goes through
    await store.migrate({ secretBox: testSecretBox() });
    expect((await storedSecrets(db, dialect)).every(isSealedSecret)).toBe(true);
  });

  it("a store without a key migrates a database with no secrets, but refuses to store one in plaintext", async () => {
    const { store, db } = await fresh({ secretBox: null });
    expect(store.configStore.secretBox).toBeNull();
    const loader = createConfigLoader({ store: store.configStore, spec: discordConfigSpec });
    const error = await loader.save({ bot_token: "a.plain.bot-token-value" }).catch((e) => e);
    expect(error).toBeInstanceOf(SecretBoxError);
    expect(error).toMatchObject({ reason: "no_key" });
    expect(await db.selectFrom("config_versions").selectAll().execute()).toEqual([]);
  });

  it("rotation with [new, old] re-seals every secret with the new key; then the old key alone reads nothing", async () => {
    const { store, db } = await fresh({ migrate: false });
    await plaintextDatabase(db, dialect, "key-value");
    await store.migrate(); // sealed with TEST_SECRET_KEY
    const rotated = testSecretBox([TEST_SECRET_KEY_2, TEST_SECRET_KEY]);
    const report = await createSecretStore(db, dialect, rotated).rotate();
    expect(report).toEqual({ resealed: 6, sealed: 0, current: 0, keyId: rotated.currentKeyId });
    const stored = await storedSecrets(db, dialect);
    expect(stored.every((v) => sealedKeyId(v) === rotated.currentKeyId)).toBe(true);
    expect(await createSecretStore(db, dialect, rotated).rotate()).toMatchObject({ resealed: 0, current: 6 });

    const reader = (keys: string[]) =>
      createConfigLoader({
        store: createConfigStore(db, dialect, undefined, testSecretBox(keys)),
        spec: discordConfigSpec,
      });
    expect((await reader([TEST_SECRET_KEY_2]).load()).bot_token).toBe("history.bot.token-v2");
    const old = await reader([TEST_SECRET_KEY])
      .load()
      .catch((e) => e);
    expect(old).toBeInstanceOf(ConfigValidationError);
    expect((old as ConfigValidationError).issues.map((i) => i.field).sort()).toEqual([
      "bot_token",
      "client_secret",
    ]);
    const legacy = (await legacySecrets(db))[1] as string;
    await expect(
      testSecretBox([TEST_SECRET_KEY]).open(legacy, { context: "legacy:discord_config:bot_token" }),
    ).rejects.toMatchObject({
      reason: "wrong_key",
    });
    expect(await rotated.open(legacy, { context: "legacy:discord_config:bot_token" })).toBe(
      SEED_DISCORD_CONFIG.bot_token,
    );
  });

  it("a rotation that meets a value no key opens fails and changes nothing", async () => {
    const { store, db } = await fresh({ migrate: false });
    await createSeedSystemDatabase(db, dialect, { configShape: "key-value" });
    await store.migrate();
    const before = await storedSecrets(db, dialect);
    const error = await createSecretStore(db, dialect, testSecretBox([TEST_SECRET_KEY_2]))
      .rotate()
      .catch((e) => e);
    expect(error).toBeInstanceOf(SecretBoxError);
    expect(error).toMatchObject({ reason: "wrong_key" });
    expect(await storedSecrets(db, dialect)).toEqual(before);
    const noKey = await createSecretStore(db, dialect, null)
      .rotate()
      .catch((e) => e);
    expect(noKey).toBeInstanceOf(SecretKeyRequiredError);
  });

  it("loaders on the store seal with its box: a saved secret is sealed for its field and never stored in clear", async () => {
    const { store, db } = await fresh();
    expect(store.secrets.box?.currentKeyId).toBe(testSecretBox().currentKeyId);
    const loader = createConfigLoader({ store: store.configStore, spec: discordConfigSpec });
    await loader.save({ client_secret: "saved-client-secret-value", bot_token: "saved.bot.token-value" });
    const [row] = await db.selectFrom("config_versions").select("values").execute();
    const values = decodeJsonObject(dialect, row?.values);
    expect(isSealedSecret(values.client_secret) && isSealedSecret(values.bot_token)).toBe(true);
    expect(await dumpText(db, dialect)).not.toContain("saved.bot.token-value");
    // moved to the other field, a sealed value does not open
    await db
      .updateTable("config_versions")
      .set({ values: encodeJson({ ...values, bot_token: values.client_secret }) })
      .execute();
    const check = await loader.loadComplete(["bot_token"]);
    expect(check.ok === false && check.invalid.map((i) => i.field)).toEqual(["bot_token"]);
  });
});
