import { createSecretBox, isSealedSecret } from "@guildkit/core";
import { describe, expect, it } from "vitest";
import { discordConfigSpec } from "./discord";
import { ConfigConflictError, ConfigValidationError } from "./errors";
import { createConfigLoader } from "./loader";
import { createMemoryConfigStore } from "./memory-config-store";
import type { ConfigStore } from "./store";

const box = createSecretBox({ keys: [Buffer.alloc(32, 7)] });

/** The memory ConfigStore, counting reads (with a secret box, as a store built with a key has). */
function fakeStore(initial: Record<string, unknown> | null = null) {
  const at = new Date("2025-01-01T00:00:00Z");
  const memory = createMemoryConfigStore({ clock: { now: () => at }, secretBox: box });
  const versions = memory.versions;
  let reads = 0;
  if (initial)
    versions.push({ module: "discord", version: 1, values: initial, createdAt: at, createdBy: null });
  const store: ConfigStore = {
    ...memory,
    latest(opts) {
      reads++;
      return memory.latest(opts);
    },
  };
  return { store, versions, reads: () => reads };
}

const complete = {
  client_id: "100000000000000001",
  client_secret: "client-secret-value-1234",
  bot_token: "MTAw.abc.def-ghi-5678",
  guild_id: "200000000000000002",
  role_ids: ["300000000000000003"],
};

describe("createConfigLoader", () => {
  it("reads the store on every load, so a saved change applies without a restart", async () => {
    const fake = fakeStore({ guild_id: "200000000000000002" });
    const loader = createConfigLoader({ store: fake.store, spec: discordConfigSpec });
    expect((await loader.load()).guild_id).toBe("200000000000000002");
    fake.versions.push({
      module: "discord",
      version: 2,
      values: { guild_id: "900000000000000009" },
      createdAt: new Date(),
      createdBy: "admin",
    });
    expect((await loader.load()).guild_id).toBe("900000000000000009");
    expect(fake.reads()).toBe(2);
  });

  it("returns defaults when nothing is stored", async () => {
    const loader = createConfigLoader({ store: fakeStore().store, spec: discordConfigSpec });
    expect(await loader.load()).toMatchObject({ bot_token: null, role_ids: null, sync_interval_hours: 24 });
  });

  it("load() throws ConfigValidationError when stored values are bad", async () => {
    const loader = createConfigLoader({ store: fakeStore({ guild_id: "x" }).store, spec: discordConfigSpec });
    await expect(loader.load()).rejects.toBeInstanceOf(ConfigValidationError);
  });

  it("loadComplete returns the typed values when the listed fields are set", async () => {
    const loader = createConfigLoader({ store: fakeStore(complete).store, spec: discordConfigSpec });
    const result = await loader.loadComplete(["bot_token", "guild_id", "role_ids", "sync_interval_hours"]);
    expect(result.ok).toBe(true);
    if (result.ok) {
      const roles: string[] = result.values.role_ids;
      expect(roles).toEqual(["300000000000000003"]);
      expect(result.values.sync_interval_hours).toBe(24);
      expect(result.version).toBe(1);
    }
  });

  it("loadComplete reports missing and invalid fields instead of throwing, so workers can idle", async () => {
    const loader = createConfigLoader({
      store: fakeStore({ guild_id: "not-an-id", client_id: "x" }).store,
      spec: discordConfigSpec,
    });
    const result = await loader.loadComplete(["bot_token", "guild_id", "role_ids"]);
    expect(result).toEqual({
      ok: false,
      missing: ["bot_token", "role_ids"],
      invalid: [{ field: "guild_id", message: expect.stringContaining("Discord id") }],
    });
  });

  it("save validates the merged values first: a failing save writes nothing", async () => {
    const fake = fakeStore(complete);
    const loader = createConfigLoader({ store: fake.store, spec: discordConfigSpec });
    await expect(loader.save({ guild_id: "bad", sync_interval_hours: 0 })).rejects.toMatchObject({
      name: "ConfigValidationError",
      issues: [
        { field: "guild_id", message: expect.any(String) },
        { field: "sync_interval_hours", message: expect.any(String) },
      ],
    });
    expect(fake.versions).toHaveLength(1);
  });

  it("save merges changes: absent keys kept, null clears, a masked secret sent back keeps the secret", async () => {
    const fake = fakeStore(complete);
    const loader = createConfigLoader({ store: fake.store, spec: discordConfigSpec });
    const described = await loader.describe();
    const shownSecret = described.fields.find((f) => f.key === "client_secret")?.value;
    expect(shownSecret).toBe("••••1234");
    const { version, values } = await loader.save(
      { client_secret: shownSecret, bot_token: "", sync_interval_hours: "6" },
      { createdBy: "admin:7", expectedVersion: 1 },
    );
    expect(version).toBe(2);
    expect(values).toMatchObject({
      client_secret: complete.client_secret,
      bot_token: null,
      sync_interval_hours: 6,
    });
    expect(fake.versions[1]).toMatchObject({ createdBy: "admin:7" });
    const stored = fake.versions[1]?.values ?? {};
    expect({ ...stored, client_secret: "(sealed)" }).toEqual({
      client_id: complete.client_id,
      client_secret: "(sealed)",
      guild_id: complete.guild_id,
      role_ids: complete.role_ids,
      sync_interval_hours: 6,
    });
    expect(isSealedSecret(stored.client_secret)).toBe(true);
    expect(await box.open(stored.client_secret as string, { context: "config:discord:client_secret" })).toBe(
      complete.client_secret,
    );
  });

  it("save rewrites a legacy role_id as role_ids", async () => {
    const fake = fakeStore({ role_id: "300000000000000003" });
    const loader = createConfigLoader({ store: fake.store, spec: discordConfigSpec });
    await loader.save({ guild_id: "200000000000000002" });
    expect(fake.versions[1]?.values).toEqual({
      role_ids: ["300000000000000003"],
      guild_id: "200000000000000002",
    });
  });

  it("save passes expectedVersion through and surfaces the store's ConfigConflictError", async () => {
    const loader = createConfigLoader({ store: fakeStore(complete).store, spec: discordConfigSpec });
    await expect(
      loader.save({ guild_id: "200000000000000009" }, { expectedVersion: 0 }),
    ).rejects.toBeInstanceOf(ConfigConflictError);
  });

  it("history and describe never show a secret unmasked", async () => {
    const fake = fakeStore(complete);
    const loader = createConfigLoader({ store: fake.store, spec: discordConfigSpec });
    await loader.save({ bot_token: "another.bot.token-9999" });
    const history = await loader.history({ limit: 5 });
    expect(history.map((h) => h.version)).toEqual([2, 1]);
    expect(history[0]?.values.bot_token).toBe("••••9999");
    const text = JSON.stringify([history, await loader.describe()]);
    expect(text).not.toContain(complete.client_secret);
    expect(text).not.toContain("another.bot.token");
  });
});
