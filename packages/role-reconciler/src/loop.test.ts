import { describe, expect, it } from "vitest";
import {
  createMemoryEventLog,
  createStore,
  FakeGuild,
  FakeTime,
  flush,
  GUILD,
  ROLE_PAID,
  uid,
} from "../test/fakes";
import { defaultRules } from "./entitlement";
import { createRoleSyncLoop, type SettingsLoad } from "./loop";
import { createRoleReconciler } from "./reconcile";

function setup() {
  const time = new FakeTime();
  const store = createStore(time);
  const guild = new FakeGuild();
  const log = createMemoryEventLog();
  const reconciler = createRoleReconciler({
    queue: store.queue,
    ledger: store.ledger,
    members: store.linkedMembers,
    profiles: store.profiles,
    eventLog: log,
    clock: time.clock,
    scheduler: time.scheduler,
    owner: "w1",
    random: () => 0,
  });
  const settings = { guildId: GUILD, rules: defaultRules([ROLE_PAID]), syncIntervalMs: 24 * 3_600_000 };
  const state: { load: SettingsLoad | Error } = {
    load: { status: "ready", settings, gateway: guild.gateway },
  };
  const statuses: string[] = [];
  const loop = createRoleSyncLoop({
    reconciler,
    queue: store.queue,
    loadSettings: async () => {
      if (state.load instanceof Error) throw state.load;
      return state.load;
    },
    clock: time.clock,
    scheduler: time.scheduler,
    eventLog: log,
    onStatus: (s) => statuses.push(s.state),
  });
  /** Lets the loop run, firing `n` timers (poll waits) in between. */
  const pump = async (n: number) => {
    for (let i = 0; i < n; i += 1) {
      await flush();
      if (!time.fireNext()) break;
    }
    await flush();
  };
  return { time, store, guild, log, loop, settings, state, statuses, pump };
}

describe("role sync loop", () => {
  it("idles while bot token, guild or roles are missing, says so once, and starts when they are set", async () => {
    const t = setup();
    t.state.load = { status: "incomplete", missing: ["bot token", "guild id"] };
    t.guild.add(uid(1));
    t.store.insertMember({ id: "1", discordUserId: uid(1), attrs: { payment_status: "x" } });
    const stop = new AbortController();
    const done = t.loop.run({ stop: stop.signal });
    await t.pump(5);
    expect(t.log.ofKind("role_sync.idle")).toHaveLength(1);
    expect(t.log.ofKind("role_sync.idle")[0]?.message).toBe(
      "role sync is idle until these settings are set: bot token, guild id",
    );
    expect(t.statuses).toEqual(["idle"]);
    expect(t.guild.calls).toHaveLength(0);

    t.state.load = { status: "ready", settings: t.settings, gateway: t.guild.gateway };
    await t.pump(3);
    expect(t.statuses).toEqual(["idle", "ready"]);
    expect(t.log.ofKind("role_sync.ready")).toHaveLength(1);
    expect(t.guild.roles(uid(1))).toEqual([ROLE_PAID]);
    stop.abort();
    await done;
  });

  it("picks up members marked due while it waits", async () => {
    const t = setup();
    const stop = new AbortController();
    const done = t.loop.run({ stop: stop.signal });
    await t.pump(2);
    t.guild.add(uid(1));
    t.store.insertMember({ id: "1", discordUserId: uid(1), attrs: { payment_status: "x" } });
    await t.pump(1);
    expect(t.guild.roles(uid(1))).toEqual([ROLE_PAID]);
    stop.abort();
    await done;
  });

  it("runs the full-pass safety net every few minutes: a linked member with no sync row is still checked", async () => {
    const t = setup();
    t.guild.add(uid(1));
    // Linked behind the triggers' back (e.g. a row imported before the migration).
    t.store.members.set("1", {
      id: "1",
      discordUserId: uid(1),
      attrs: { payment_status: "x" },
      displayName: null,
      avatarHash: null,
      avatarBytes: null,
    });
    const stop = new AbortController();
    const done = t.loop.run({ stop: stop.signal });
    await t.pump(2);
    expect(t.store.calls.scheduleFullPass).toBe(1);
    expect(t.guild.roles(uid(1))).toEqual([ROLE_PAID]);
    await t.pump(60); // 60 polls of 5 s = the 5-minute safety-net period
    expect(t.store.calls.scheduleFullPass).toBe(2);
    stop.abort();
    await done;
  });

  it("stops promptly when asked while waiting", async () => {
    const t = setup();
    const stop = new AbortController();
    const done = t.loop.run({ stop: stop.signal });
    await t.pump(1);
    stop.abort();
    await done;
    expect(t.time.pending).toBe(0);
  });

  it("logs a failed round and retries after a growing pause", async () => {
    const t = setup();
    t.state.load = new Error("database is locked");
    const stop = new AbortController();
    const done = t.loop.run({ stop: stop.signal });
    await flush();
    const start = t.time.nowMs;
    await t.pump(1);
    await t.pump(1);
    expect(t.log.ofKind("role_sync.settings_error").length).toBeGreaterThanOrEqual(2);
    expect(t.log.ofKind("role_sync.settings_error")[0]?.message).toMatch(/database is locked/);
    expect(t.time.nowMs - start).toBe(5_000 + 10_000);
    stop.abort();
    await done;
  });

  it("keeps going when the database is away for the event log too, and syncs once it is back", async () => {
    const t = setup();
    t.guild.add(uid(1));
    t.store.insertMember({ id: "1", discordUserId: uid(1), attrs: { payment_status: "x" } });
    const append = t.log.append.bind(t.log);
    let down = true;
    t.log.append = async (entry) => {
      if (down) throw new Error("Connection terminated unexpectedly");
      await append(entry);
    };
    t.state.load = new Error("connect ECONNREFUSED 127.0.0.1:5432");
    const stop = new AbortController();
    let ended = false;
    const done = t.loop.run({ stop: stop.signal }).finally(() => {
      ended = true;
    });
    await t.pump(3);
    expect(ended).toBe(false);
    expect(t.guild.calls).toHaveLength(0);

    down = false;
    t.state.load = { status: "ready", settings: t.settings, gateway: t.guild.gateway };
    await t.pump(3);
    expect(t.guild.roles(uid(1))).toEqual([ROLE_PAID]);
    stop.abort();
    await done;
  });
});
