import { ConfigConflictError, type ConfigStore, type ConfigVersion } from "@guildkit/config";
import { expect, it } from "vitest";

/** One implementation of `ConfigStore` under test, with a backdoor onto its stored versions. */
export interface ConfigStoreSubject {
  store: ConfigStore;
  /** Every stored version of `module`, oldest first, read directly (not through the port). */
  versions(module: string): Promise<ConfigVersion[]>;
}

/**
 * The conformance cases of the `ConfigStore` port of `@guildkit/config`, registered with vitest's `it`
 * in the current `describe`: the SQL stores run them through the `ports` feature,
 * `createMemoryConfigStore` from `tools/store-testkit/test`. `fresh` gives a new, empty subject per test.
 */
export function defineConfigStoreCases(fresh: () => Promise<ConfigStoreSubject>): void {
  it("numbers versions per module from 1; the latest wins; each save is a new stored version", async () => {
    const { store, versions } = await fresh();
    expect(await store.latest({ module: "discord" })).toBeNull();
    expect(await store.save({ module: "discord", values: { guild_id: "1" }, createdBy: "admin:1" })).toBe(1);
    expect(await store.save({ module: "discord", values: { guild_id: "2" } })).toBe(2);
    expect(await store.save({ module: "other", values: { a: true } })).toBe(1);
    const latest = await store.latest({ module: "discord" });
    expect(latest).toMatchObject({
      module: "discord",
      version: 2,
      values: { guild_id: "2" },
      createdBy: null,
    });
    expect(latest?.createdAt).toBeInstanceOf(Date);
    expect(await store.latest({ module: "other" })).toMatchObject({ module: "other", version: 1 });
    expect(await store.latest({ module: "none" })).toBeNull();
    const stored = await versions("discord");
    expect(stored.map((v) => [v.version, v.values, v.createdBy])).toEqual([
      [1, { guild_id: "1" }, "admin:1"],
      [2, { guild_id: "2" }, null],
    ]);
  });

  it("history is newest first, of one module, at most limit long", async () => {
    const { store } = await fresh();
    for (const n of [1, 2, 3]) await store.save({ module: "discord", values: { n } });
    await store.save({ module: "other", values: { n: 9 } });
    const history = await store.history({ module: "discord", limit: 10 });
    expect(history.map((v) => [v.module, v.version, v.values.n])).toEqual([
      ["discord", 3, 3],
      ["discord", 2, 2],
      ["discord", 1, 1],
    ]);
    expect((await store.history({ module: "discord", limit: 1 })).map((v) => v.version)).toEqual([3]);
    expect(await store.history({ module: "none" })).toEqual([]);
  });

  it("a save based on an old version is a ConfigConflictError and writes nothing", async () => {
    const { store, versions } = await fresh();
    expect(await store.save({ module: "discord", values: { a: 1 }, expectedVersion: 0 })).toBe(1);
    expect(await store.save({ module: "discord", values: { a: 2 }, expectedVersion: 1 })).toBe(2);
    const error = await store
      .save({ module: "discord", values: { a: 3 }, expectedVersion: 1 })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigConflictError);
    expect(error).toMatchObject({ code: "config_conflict", expectedVersion: 1, actualVersion: 2 });
    expect(await store.save({ module: "other", values: { a: 1 }, expectedVersion: 0 })).toBe(1);
    expect((await versions("discord")).map((v) => v.values.a)).toEqual([1, 2]);
  });

  it("of two saves based on the same version exactly one wins", async () => {
    const { store, versions } = await fresh();
    await store.save({ module: "discord", values: { a: 1 } });
    const racing = await Promise.allSettled([
      store.save({ module: "discord", values: { a: 4 }, expectedVersion: 1 }),
      store.save({ module: "discord", values: { a: 5 }, expectedVersion: 1 }),
    ]);
    expect(racing.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    const rejected = racing.find((r) => r.status === "rejected");
    expect(rejected?.status === "rejected" && rejected.reason).toBeInstanceOf(ConfigConflictError);
    expect(await versions("discord")).toHaveLength(2);
  });

  it("stores values as given: changing the object after the save changes nothing stored", async () => {
    const { store } = await fresh();
    const values: Record<string, unknown> = { role_ids: ["1", "2"], nested: { on: true } };
    await store.save({ module: "discord", values });
    (values.role_ids as string[]).push("3");
    values.extra = 1;
    expect((await store.latest({ module: "discord" }))?.values).toEqual({
      role_ids: ["1", "2"],
      nested: { on: true },
    });
  });
}
