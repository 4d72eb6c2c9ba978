import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { createConfigLoader, discordConfigSpec } from "@guildkit/config";
import { isSealedSecret, sealedKeyId } from "@guildkit/core";
import { createSqliteStore } from "@guildkit/store-sqlite";
import { TEST_SECRET_KEY, TEST_SECRET_KEY_2, testSecretBox } from "@guildkit/store-testkit";
import { afterEach, beforeEach, expect, it } from "vitest";

const CLI = fileURLToPath(new URL("../src/cli.ts", import.meta.url));
const BOT_TOKEN = "cli.bot.token-value-0001";

let dir: string;
let filename: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "guildkit-secrets-cli-"));
  filename = join(dir, "db.sqlite");
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** Runs `guildkit secrets rotate` as an operator would, with `GUILDKIT_SECRET_KEY=keys`. */
function rotate(keys: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ["--import", "tsx", CLI, "secrets", "rotate"],
      { env: { ...process.env, DATABASE_URL: filename, GUILDKIT_SECRET_KEY: keys, LOG_LEVEL: "silent" } },
      (error, stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    );
  });
}

/** The stored bot tokens of every version, raw, and what a store holding only `keys` reads. */
async function inspect(keys: string[]) {
  const store = createSqliteStore({ filename, secretBox: testSecretBox(keys) });
  try {
    const rows = await store.kysely.selectFrom("config_versions").select("values").execute();
    const raw = rows.map((r) => (JSON.parse(String(r.values)) as { bot_token: string }).bot_token);
    const read = await createConfigLoader({ store: store.configStore, spec: discordConfigSpec }).loadComplete(
      ["bot_token"],
    );
    return { raw, botToken: read.ok ? read.values.bot_token : null };
  } finally {
    await store.close();
  }
}

it("guildkit secrets rotate re-seals every version with the new key; then the old key alone reads nothing", async () => {
  const store = createSqliteStore({ filename, secretBox: testSecretBox([TEST_SECRET_KEY]) });
  await store.migrate();
  const loader = createConfigLoader({ store: store.configStore, spec: discordConfigSpec });
  await loader.save({ bot_token: `${BOT_TOKEN}-old`, client_secret: "cli-client-secret-value" });
  await loader.save({ bot_token: BOT_TOKEN });
  await store.close();
  const oldKey = testSecretBox([TEST_SECRET_KEY]).currentKeyId;
  const newKey = testSecretBox([TEST_SECRET_KEY_2]).currentKeyId;
  expect((await inspect([TEST_SECRET_KEY])).raw.map(sealedKeyId)).toEqual([oldKey, oldKey]);

  const run = await rotate(`${TEST_SECRET_KEY_2},${TEST_SECRET_KEY}`);
  expect(run).toMatchObject({ code: 0, stderr: "" });
  expect(run.stdout).toContain(`re-sealed 4 secret(s) with key ${newKey} (0 already sealed with it)`);
  expect(run.stdout).not.toContain(BOT_TOKEN);

  const after = await inspect([TEST_SECRET_KEY_2]);
  expect(after.raw.every((v) => isSealedSecret(v) && sealedKeyId(v) === newKey)).toBe(true);
  expect(after.botToken).toBe(BOT_TOKEN);
  expect((await inspect([TEST_SECRET_KEY])).botToken).toBeNull();

  // a second run has nothing left to do
  expect((await rotate(`${TEST_SECRET_KEY_2},${TEST_SECRET_KEY}`)).stdout).toContain("re-sealed 0 secret(s)");
});

it("guildkit secrets rotate without the key that sealed the values says so, exits 1 and changes nothing", async () => {
  const store = createSqliteStore({ filename, secretBox: testSecretBox([TEST_SECRET_KEY]) });
  await store.migrate();
  await createConfigLoader({ store: store.configStore, spec: discordConfigSpec }).save({
    bot_token: BOT_TOKEN,
  });
  await store.close();
  const before = (await inspect([TEST_SECRET_KEY])).raw;

  const run = await rotate(TEST_SECRET_KEY_2);
  expect(run.code).toBe(1);
  expect(run.stderr).toContain("nothing was re-sealed");
  expect(run.stderr).toContain("GUILDKIT_SECRET_KEY");
  expect((await inspect([TEST_SECRET_KEY])).raw).toEqual(before);

  const missing = await rotate("");
  expect(missing.code).toBe(1);
  expect(missing.stderr).toContain("GUILDKIT_SECRET_KEY is not set");
});
