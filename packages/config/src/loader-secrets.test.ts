import { createSecretBox, isSealedSecret, type SecretBox, SecretBoxError } from "@guildkit/core";
import { describe, expect, it } from "vitest";
import { discordConfigSpec } from "./discord";
import { ConfigValidationError } from "./errors";
import { createConfigLoader } from "./loader";
import type { ConfigVersion } from "./store";
import { memoryConfigStore } from "./test-store";

const keyA = Buffer.alloc(32, 1);
const keyB = Buffer.alloc(32, 2);
const boxA = createSecretBox({ keys: [keyA] });
const CLIENT_SECRET = "client-secret-value-1234";
const BOT_TOKEN = "MTAw.abc.def-ghi-5678";
const settings = {
  client_id: "100000000000000001",
  client_secret: CLIENT_SECRET,
  bot_token: BOT_TOKEN,
  guild_id: "200000000000000002",
};

function memoryStore(secretBox: SecretBox | null, initial: Record<string, unknown> | null = null) {
  const mem = memoryConfigStore({ secretBox, initial });
  return { ...mem, raw: () => JSON.stringify(mem.versions) };
}

describe("createConfigLoader with a secret box", () => {
  it("stores every secret field sealed for its field, and reads it back opened", async () => {
    const mem = memoryStore(boxA);
    const loader = createConfigLoader({ store: mem.store, spec: discordConfigSpec });
    await loader.save(settings);
    const stored = mem.versions[0]?.values ?? {};
    expect(isSealedSecret(stored.client_secret)).toBe(true);
    expect(isSealedSecret(stored.bot_token)).toBe(true);
    expect(stored.guild_id).toBe(settings.guild_id);
    expect(mem.raw()).not.toContain(CLIENT_SECRET);
    expect(mem.raw()).not.toContain(BOT_TOKEN);
    expect(await boxA.open(stored.bot_token as string, { context: "config:discord:bot_token" })).toBe(
      BOT_TOKEN,
    );
    expect(await loader.load()).toMatchObject({ client_secret: CLIENT_SECRET, bot_token: BOT_TOKEN });
  });

  it("masks a sealed secret exactly as the plaintext, and the mask sent back keeps the secret", async () => {
    const mem = memoryStore(boxA);
    const loader = createConfigLoader({ store: mem.store, spec: discordConfigSpec });
    await loader.save(settings);
    const described = await loader.describe();
    const shown = described.fields.find((f) => f.key === "bot_token");
    expect(shown).toMatchObject({ isSet: true, value: "••••5678" });
    expect(described.issues).toEqual([]);
    expect((await loader.history())[0]?.values).toMatchObject({
      client_secret: "••••1234",
      bot_token: "••••5678",
    });

    await loader.save({ bot_token: shown?.value, guild_id: "300000000000000003" });
    expect(await loader.load()).toMatchObject({ bot_token: BOT_TOKEN, guild_id: "300000000000000003" });
    // sealed again with a fresh IV, not copied
    expect(mem.versions[1]?.values.bot_token).not.toBe(mem.versions[0]?.values.bot_token);
  });

  it("a sealed value moved into another field does not open there", async () => {
    const mem = memoryStore(boxA);
    const loader = createConfigLoader({ store: mem.store, spec: discordConfigSpec });
    await loader.save(settings);
    const stored = mem.versions[0]?.values ?? {};
    mem.versions.push({
      ...(mem.versions[0] as ConfigVersion),
      version: 2,
      values: { ...stored, bot_token: stored.client_secret },
    });
    const error = await loader.load().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigValidationError);
    expect((error as ConfigValidationError).issues).toEqual([
      { field: "bot_token", message: expect.stringContaining("does not authenticate") },
    ]);
    expect(await loader.loadComplete(["bot_token"])).toMatchObject({
      ok: false,
      missing: [],
      invalid: [{ field: "bot_token" }],
    });
  });

  it("reads a plaintext secret stored before sealing, and the next save seals it", async () => {
    const mem = memoryStore(boxA, settings);
    const loader = createConfigLoader({ store: mem.store, spec: discordConfigSpec });
    expect((await loader.load()).bot_token).toBe(BOT_TOKEN);
    await loader.save({ guild_id: "300000000000000003" });
    expect(isSealedSecret(mem.versions[1]?.values.bot_token)).toBe(true);
    expect(isSealedSecret(mem.versions[1]?.values.client_secret)).toBe(true);
  });

  it("with the wrong key: shows the secret as set and masked, names the field, refuses a save that would drop it", async () => {
    const mem = memoryStore(boxA);
    await createConfigLoader({ store: mem.store, spec: discordConfigSpec }).save(settings);
    const other = createConfigLoader({
      store: mem.store,
      spec: discordConfigSpec,
      secretBox: createSecretBox({ keys: [keyB] }),
    });
    const described = await other.describe();
    expect(described.fields.find((f) => f.key === "bot_token")).toMatchObject({ isSet: true, value: "••••" });
    expect(described.issues.map((i) => i.field)).toEqual(["client_secret", "bot_token"]);
    expect(described.issues[1]?.message).toContain("GUILDKIT_SECRET_KEY");

    await expect(other.save({ guild_id: "300000000000000003", bot_token: "••••" })).rejects.toMatchObject({
      issues: [{ field: "client_secret" }, { field: "bot_token" }],
    });
    expect(mem.versions).toHaveLength(1);
    await other.save({ client_secret: "", bot_token: "new.bot.token-0000" });
    expect(await other.load()).toMatchObject({ client_secret: null, bot_token: "new.bot.token-0000" });
  });

  it("without a box, saving a secret throws SecretBoxError no_key and writes nothing", async () => {
    const mem = memoryStore(null);
    const loader = createConfigLoader({ store: mem.store, spec: discordConfigSpec });
    const error = await loader.save(settings).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SecretBoxError);
    expect((error as SecretBoxError).reason).toBe("no_key");
    expect((error as Error).message).toContain("GUILDKIT_SECRET_KEY");
    expect(mem.versions).toHaveLength(0);
    await loader.save({ guild_id: "300000000000000003" });
    expect(mem.versions).toHaveLength(1);
  });
});
