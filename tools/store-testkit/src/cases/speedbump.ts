import { createSpeedbump, type Delivery, PLURALKIT_APPLICATION_ID } from "@guildkit/pk-speedbump";
import { decodeJsonObject, decodeTime } from "@guildkit/store-kysely";
import { describe, expect, it } from "vitest";
import { defineStoreCases } from "../define";
import { at, DAY, proxyMember, speedbumpMessage, T0, unresolvedItem } from "../ports/speedbump-fixtures";
import { sqlSpeedbumpRows } from "../ports/speedbump-sql";
import { defineSpeedbumpStoreCases } from "../ports/speedbump-store";

const message = speedbumpMessage;

/** Fake time for a speedbump on a real store: timers fire only through `fireDue`. */
function createFakeTime() {
  let now = T0.getTime();
  const timers = new Map<number, { at: number; fn: () => void }>();
  let nextTimer = 0;
  return {
    clock: { now: () => new Date(now) },
    scheduler: {
      setTimer: (when: Date, fn: () => void) => {
        timers.set(++nextTimer, { at: when.getTime(), fn });
        return nextTimer;
      },
      clear: (handle: unknown) => void timers.delete(handle as number),
    },
    timerTimes: () => [...timers.values()].map((t) => new Date(t.at)),
    /** Moves time on by `ms` and fires the timers due by then. */
    fireDue(ms: number) {
      now += ms;
      for (const [id, timer] of [...timers]) {
        if (timer.at <= now) {
          timers.delete(id);
          timer.fn();
        }
      }
    },
    clear: () => timers.clear(),
  };
}

const member = proxyMember;

export const speedbumpCases = defineStoreCases("speedbump", ({ dialect, fresh }) => {
  describe("SpeedbumpStore and ProxyMemberStore ports", () =>
    defineSpeedbumpStoreCases(async () => {
      const { store, db } = await fresh();
      return { store: store.speedbump, rows: sqlSpeedbumpRows(db, dialect) };
    }));
  it("saves, replaces and reads back a channel's state", async () => {
    const { store, db } = await fresh();
    const port = store.speedbump;
    expect(await port.getChannel({ channelId: "200" })).toBeNull();
    await port.saveChannel({
      channelId: "200",
      proxyApplicationId: PLURALKIT_APPLICATION_ID,
      webhookId: "300",
      checkedAt: at(0),
    });
    await port.saveChannel({
      channelId: "200",
      proxyApplicationId: null,
      webhookId: null,
      checkedAt: at(1_000),
    });
    const rows = await db.selectFrom("speedbump_channels").selectAll().execute();
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ channel_id: "200", proxy_application_id: null, webhook_id: null });
    expect(decodeTime(rows[0]?.checked_at)).toEqual(at(1_000));
    expect(await port.getChannel({ channelId: "200" })).toEqual({
      channelId: "200",
      proxyApplicationId: null,
      webhookId: null,
      checkedAt: at(1_000),
    });
  });

  it("lists the channels whose speedbump is on", async () => {
    const { store, db } = await fresh();
    const port = store.speedbump;
    const on = { proxyApplicationId: PLURALKIT_APPLICATION_ID, checkedAt: at(0) };
    await port.saveChannel({ channelId: "201", webhookId: "301", ...on });
    await port.saveChannel({ channelId: "202", proxyApplicationId: null, webhookId: null, checkedAt: at(0) });
    await port.saveChannel({ channelId: "203", webhookId: "303", ...on });
    await port.saveChannel({ channelId: "203", proxyApplicationId: null, webhookId: null, checkedAt: at(1) });
    const stored = await db.selectFrom("speedbump_channels").select(["channel_id", "webhook_id"]).execute();
    expect(stored).toHaveLength(3);
    expect(await port.listActiveChannels()).toEqual([{ channelId: "201", webhookId: "301", ...on }]);
  });

  it("remembers users seen proxying, refreshing their last sighting", async () => {
    const { store, db } = await fresh();
    const port = store.speedbump;
    expect(await port.isProxyUser({ userId: "42" })).toBe(false);
    await port.saveProxyUser({ userId: "42", seenAt: at(0) });
    await port.saveProxyUser({ userId: "42", seenAt: at(5_000) });
    expect(await port.isProxyUser({ userId: "42" })).toBe(true);
    const rows = await db.selectFrom("speedbump_proxy_users").selectAll().execute();
    expect(rows.map((r) => [r.user_id, decodeTime(r.last_seen_at)])).toEqual([["42", at(5_000)]]);
  });

  it("persists holds with their due time and latest content, lists them earliest first, deletes them", async () => {
    const { store, db } = await fresh();
    const port = store.speedbump;
    await port.saveHold({
      messageId: "2",
      channelId: "200",
      heldAt: at(1_000),
      dueAt: at(5_000),
      message: message("2"),
    });
    await port.saveHold({
      messageId: "1",
      channelId: "200",
      heldAt: at(0),
      dueAt: at(4_000),
      message: message("1"),
    });
    // An update during the hold replaces the stored message.
    await port.saveHold({
      messageId: "1",
      channelId: "200",
      heldAt: at(0),
      dueAt: at(4_000),
      message: message("1", "hello (edited)"),
    });
    const raw = await db.selectFrom("speedbump_holds").select(["message_id", "message", "due_at"]).execute();
    expect(raw).toHaveLength(2);
    const one = raw.find((r) => r.message_id === "1");
    expect(decodeJsonObject(dialect, one?.message)).toMatchObject({
      content: "hello (edited)",
      author: { id: "42" },
    });
    expect(decodeTime(one?.due_at)).toEqual(at(4_000));

    const holds = await port.listHolds();
    expect(holds.map((h) => h.messageId)).toEqual(["1", "2"]);
    expect(holds[0]).toEqual({
      messageId: "1",
      channelId: "200",
      heldAt: at(0),
      dueAt: at(4_000),
      message: message("1", "hello (edited)"),
    });
    await port.deleteHold({ messageId: "1" });
    await port.deleteHold({ messageId: "404" });
    expect(
      (await db.selectFrom("speedbump_holds").select("message_id").execute()).map((r) => r.message_id),
    ).toEqual(["2"]);
  });

  it("keeps unresolved identities until resolved, listing the due ones earliest first", async () => {
    const { store, db } = await fresh();
    const port = store.speedbump;
    const item = unresolvedItem;
    await port.saveUnresolved(item("3", 3_000));
    await port.saveUnresolved(item("1", 1_000));
    await port.saveUnresolved(item("2", 2_000));
    await port.saveUnresolved({ ...item("1", 9_000), attempts: 2 });
    const due = await port.listUnresolved({ dueBefore: at(3_000), limit: 10 });
    expect(due.map((u) => u.messageId)).toEqual(["2", "3"]);
    expect(await port.listUnresolved({ dueBefore: at(10_000), limit: 1 })).toEqual([item("2", 2_000)]);
    const row = await db
      .selectFrom("speedbump_unresolved")
      .selectAll()
      .where("message_id", "=", "1")
      .executeTakeFirst();
    expect(Number(row?.attempts)).toBe(2);
    expect(decodeTime(row?.next_attempt_at)).toEqual(at(9_000));
    await port.deleteUnresolved({ messageId: "1" });
    expect(await db.selectFrom("speedbump_unresolved").select("message_id").execute()).toHaveLength(2);
  });

  it("tells the earliest next attempt of the unresolved identities, null when there is none", async () => {
    const { store, db } = await fresh();
    const port = store.speedbump;
    expect(await port.nextUnresolvedAt()).toBeNull();
    await port.saveUnresolved(unresolvedItem("2", 20 * DAY));
    await port.saveUnresolved(unresolvedItem("1", 2_000));
    expect(await port.nextUnresolvedAt()).toEqual(at(2_000));
    await db.deleteFrom("speedbump_unresolved").where("message_id", "=", "1").execute();
    expect(await port.nextUnresolvedAt()).toEqual(at(20 * DAY));
  });

  it("a due-before bound past the year 9999 still finds every due item", async () => {
    const { store } = await fresh();
    const port = store.speedbump;
    await port.saveUnresolved(unresolvedItem("1", 1_000));
    const due = await port.listUnresolved({ dueBefore: new Date(8.64e15), limit: 10 });
    expect(due.map((u) => u.messageId)).toEqual(["1"]);
  });

  it("records member sightings per guild and sender, updating the cached identity", async () => {
    const { store, db } = await fresh();
    const port = store.speedbump;
    await port.recordMemberSeen({
      member: member("aaaaa", "Alice"),
      guildId: "g1",
      senderUserId: "u1",
      seenAt: at(0),
    });
    await port.recordMemberSeen({
      member: member("aaaaa", "Ally [she/her]"),
      guildId: "g1",
      senderUserId: "u1",
      seenAt: at(DAY),
    });
    await port.recordMemberSeen({
      member: member("aaaaa", "Ally [she/her]"),
      guildId: "g2",
      senderUserId: "u1",
      seenAt: at(0),
    });
    const identity = await db.selectFrom("pk_members").selectAll().execute();
    expect(identity).toHaveLength(1);
    expect(identity[0]).toMatchObject({
      member_key: "pk:uuid-aaaaa",
      handle: "_pk_aaaaa",
      display_name: "Ally [she/her]",
    });
    const senders = await db.selectFrom("pk_member_senders").selectAll().orderBy("guild_id").execute();
    expect(senders.map((s) => [s.guild_id, s.sender_user_id, decodeTime(s.last_seen_at)])).toEqual([
      ["g1", "u1", at(DAY)],
      ["g2", "u1", at(0)],
    ]);
  });

  it("lists members unseen in a guild since a time, by their latest sighting over every sender", async () => {
    const { store } = await fresh();
    const port = store.speedbump;
    await port.recordMemberSeen({
      member: member("aaaaa"),
      guildId: "g1",
      senderUserId: "u1",
      seenAt: at(0),
    });
    await port.recordMemberSeen({
      member: member("bbbbb"),
      guildId: "g1",
      senderUserId: "u1",
      seenAt: at(0),
    });
    await port.recordMemberSeen({
      member: member("bbbbb"),
      guildId: "g1",
      senderUserId: "u2",
      seenAt: at(40 * DAY),
    });
    await port.recordMemberSeen({
      member: member("ccccc"),
      guildId: "g2",
      senderUserId: "u1",
      seenAt: at(DAY),
    });
    const stale = await port.listStaleMembers({ seenBefore: at(30 * DAY), limit: 10 });
    expect(stale.map((m) => [m.guildId, m.memberId, m.lastSeenAt])).toEqual([
      ["g1", "aaaaa", at(0)],
      ["g2", "ccccc", at(DAY)],
    ]);
    expect(stale[0]).toMatchObject({ key: "pk:uuid-aaaaa", handle: "_pk_aaaaa", systemId: "sysxy" });
    expect(await port.listStaleMembers({ seenBefore: at(30 * DAY), limit: 1 })).toHaveLength(1);
  });

  it("lists the members a leaving user proxied with their other senders, and forgets senders and members", async () => {
    const { store, db } = await fresh();
    const port = store.speedbump;
    await port.recordMemberSeen({
      member: member("aaaaa"),
      guildId: "g1",
      senderUserId: "u1",
      seenAt: at(0),
    });
    await port.recordMemberSeen({
      member: member("bbbbb"),
      guildId: "g1",
      senderUserId: "u1",
      seenAt: at(0),
    });
    await port.recordMemberSeen({
      member: member("bbbbb"),
      guildId: "g1",
      senderUserId: "u2",
      seenAt: at(0),
    });
    await port.recordMemberSeen({
      member: member("ccccc"),
      guildId: "g2",
      senderUserId: "u1",
      seenAt: at(0),
    });
    const proxied = await port.listMembersProxiedBy({ guildId: "g1", userId: "u1" });
    expect(proxied.map((m) => [m.memberId, m.otherSenders])).toEqual([
      ["aaaaa", 0],
      ["bbbbb", 1],
    ]);
    await port.forgetMembers({ guildId: "g1", memberKeys: ["pk:uuid-aaaaa"] });
    await port.forgetSender({ guildId: "g1", userId: "u1" });
    const senders = await db
      .selectFrom("pk_member_senders")
      .select(["guild_id", "member_key", "sender_user_id"])
      .execute();
    expect(senders.sort((a, b) => a.guild_id.localeCompare(b.guild_id))).toEqual([
      { guild_id: "g1", member_key: "pk:uuid-bbbbb", sender_user_id: "u2" },
      { guild_id: "g2", member_key: "pk:uuid-ccccc", sender_user_id: "u1" },
    ]);
    // The identity of a member no guild references any more is gone too.
    const keys = (await db.selectFrom("pk_members").select("member_key").execute())
      .map((r) => r.member_key)
      .sort();
    expect(keys).toEqual(["pk:uuid-bbbbb", "pk:uuid-ccccc"]);
  });

  it("writes inside a store transaction commit or roll back with it", async () => {
    const { store, db } = await fresh();
    await expect(
      store.transaction(async (ports) => {
        await ports.speedbump.saveHold({
          messageId: "1",
          channelId: "200",
          heldAt: at(0),
          dueAt: at(4_000),
          message: message("1"),
        });
        await ports.speedbump.recordMemberSeen({
          member: member("aaaaa"),
          guildId: "g1",
          senderUserId: "u1",
          seenAt: at(0),
        });
        throw new Error("abort");
      }),
    ).rejects.toThrow("abort");
    expect(await db.selectFrom("speedbump_holds").select("message_id").execute()).toEqual([]);
    expect(await db.selectFrom("pk_members").select("member_key").execute()).toEqual([]);
  });

  it("a speedbump on this store recovers its holds after a restart and delivers them once", async () => {
    const { store } = await fresh();
    const time = createFakeTime();
    const delivered: Delivery[] = [];
    const build = () =>
      createSpeedbump({
        store: store.speedbump,
        members: store.speedbump,
        webhooks: { list: async () => [{ id: "300", applicationId: PLURALKIT_APPLICATION_ID }] },
        lookup: { getMessage: async () => null },
        clock: time.clock,
        scheduler: time.scheduler,
        deliver: async (delivery) => void delivered.push(delivery),
      });
    const first = build();
    await first.handle({ type: "delete", id: "1", channelId: "200", parentId: null, guildId: "100" });
    await first.settled();
    await store.speedbump.saveProxyUser({ userId: "42", seenAt: T0 });
    await first.handle(message("2"));
    await first.stop();
    time.clear();

    const second = build();
    await expect(second.start()).resolves.toEqual({ recoveredHolds: 1, activeChannels: 1 });
    time.fireDue(4_000);
    await second.settled();
    expect(
      delivered.filter((d) => d.type === "create").map((d) => (d.type === "create" ? d.message.id : null)),
    ).toEqual(["2"]);
    expect(await store.speedbump.listHolds()).toEqual([]);
    await second.stop();
  });

  it("a speedbump started on this store arms the retry of an identity left unresolved at shutdown", async () => {
    const { store } = await fresh();
    const time = createFakeTime();
    await store.speedbump.saveUnresolved(unresolvedItem("900", 60_000));
    const looked: string[] = [];
    const speedbump = createSpeedbump({
      store: store.speedbump,
      members: store.speedbump,
      webhooks: { list: async () => [] },
      lookup: {
        getMessage: async ({ id }) => {
          looked.push(id);
          return null;
        },
      },
      clock: time.clock,
      scheduler: time.scheduler,
      deliver: async () => {},
    });
    await speedbump.start();
    expect(time.timerTimes()).toEqual([at(60_000)]);
    time.fireDue(60_000);
    await speedbump.settled();
    expect(looked).toEqual(["900"]);
    expect(await store.speedbump.nextUnresolvedAt()).toBeNull();
    await speedbump.stop();
  });
});
