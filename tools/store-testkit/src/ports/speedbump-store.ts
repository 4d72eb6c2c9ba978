import type { ChannelState, ProxyMemberStore, SpeedbumpStore } from "@guildkit/pk-speedbump";
import { expect, it } from "vitest";
import { at, DAY, proxyMember, speedbumpMessage, unresolvedItem } from "./speedbump-fixtures";

/** A member sighting as stored: guild, member, sender and when. */
export interface SpeedbumpSightingView {
  guildId: string;
  memberKey: string;
  senderUserId: string;
  seenAt: Date;
}

/** One implementation of the speedbump's store ports under test, with a backdoor to its records. */
export interface SpeedbumpStoreSubject {
  store: SpeedbumpStore & ProxyMemberStore;
  /** Records read directly (a query on the tables, a look into the maps), not through the ports. */
  rows: {
    /** The stored state of a channel; null when none. */
    channel(channelId: string): Promise<ChannelState | null>;
    /** When the user was last seen proxying; null when never recorded. */
    proxyUserSeenAt(userId: string): Promise<Date | null>;
    /** The stored hold of a message (due time and held content); null when none. */
    hold(messageId: string): Promise<{ dueAt: Date; content: string } | null>;
    /** Message ids of the stored holds, sorted. */
    holdIds(): Promise<string[]>;
    /** Attempts and next attempt of an unresolved entry; null when none. */
    unresolved(messageId: string): Promise<{ attempts: number; nextAttemptAt: Date } | null>;
    /** Keys of the cached member identities (with their display names), sorted by key. */
    members(): Promise<{ key: string; displayName: string }[]>;
    /** Every sighting, sorted by guild, member, sender. */
    sightings(): Promise<SpeedbumpSightingView[]>;
  };
}

const PK_APP = "466378653216014359";
const message = speedbumpMessage;
const unresolved = unresolvedItem;
const member = proxyMember;

const hold = (id: string, dueMs: number, content = "hello") => ({
  messageId: id,
  channelId: "200",
  heldAt: at(dueMs - 4_000),
  dueAt: at(dueMs),
  message: message(id, content),
});

/**
 * The conformance cases of the speedbump's store ports (`SpeedbumpStore`, `ProxyMemberStore` of
 * `@guildkit/pk-speedbump`), registered with vitest's `it` in the current `describe`: the SQL stores
 * run them through the `speedbump` feature, `createMemorySpeedbumpStore` from pk-speedbump's tests.
 * `fresh` gives a new, empty subject per test.
 */
export function defineSpeedbumpStoreCases(fresh: () => Promise<SpeedbumpStoreSubject>): void {
  it("a channel's state is saved, replaced and read back; only channels with a proxy webhook are active", async () => {
    const { store, rows } = await fresh();
    expect(await store.getChannel({ channelId: "200" })).toBeNull();
    const on = { channelId: "200", proxyApplicationId: PK_APP, webhookId: "300", checkedAt: at(0) };
    await store.saveChannel(on);
    await store.saveChannel({ channelId: "201", proxyApplicationId: null, webhookId: null, checkedAt: null });
    expect(await rows.channel("200")).toEqual(on);
    expect(await store.listActiveChannels()).toEqual([on]);
    const off = { channelId: "200", proxyApplicationId: null, webhookId: null, checkedAt: at(1_000) };
    await store.saveChannel(off);
    expect(await rows.channel("200")).toEqual(off);
    expect(await store.getChannel({ channelId: "200" })).toEqual(off);
    expect(await store.listActiveChannels()).toEqual([]);
  });

  it("a user seen proxying is remembered, with the latest sighting", async () => {
    const { store, rows } = await fresh();
    expect(await store.isProxyUser({ userId: "42" })).toBe(false);
    await store.saveProxyUser({ userId: "42", seenAt: at(0) });
    await store.saveProxyUser({ userId: "42", seenAt: at(5_000) });
    expect(await store.isProxyUser({ userId: "42" })).toBe(true);
    expect(await rows.proxyUserSeenAt("42")).toEqual(at(5_000));
    expect(await store.isProxyUser({ userId: "43" })).toBe(false);
  });

  it("holds keep their due time and latest content, are listed earliest first, and are deleted (a missing one is a no-op)", async () => {
    const { store, rows } = await fresh();
    await store.saveHold(hold("2", 5_000));
    await store.saveHold(hold("1", 4_000));
    await store.saveHold(hold("1", 4_000, "hello (edited)"));
    expect(await rows.hold("1")).toEqual({ dueAt: at(4_000), content: "hello (edited)" });
    expect(await store.listHolds()).toEqual([hold("1", 4_000, "hello (edited)"), hold("2", 5_000)]);
    await store.deleteHold({ messageId: "1" });
    await store.deleteHold({ messageId: "404" });
    expect(await rows.holdIds()).toEqual(["2"]);
  });

  it("a hold read back is a copy: changing it changes nothing stored", async () => {
    const { store, rows } = await fresh();
    await store.saveHold(hold("1", 4_000));
    const [read] = await store.listHolds();
    read!.message.content = "tampered";
    read!.dueAt.setTime(0);
    expect(await rows.hold("1")).toEqual({ dueAt: at(4_000), content: "hello" });
  });

  it("unresolved identities are listed due first, earliest first, up to the limit; replaced and deleted by message", async () => {
    const { store, rows } = await fresh();
    await store.saveUnresolved(unresolved("3", 3_000));
    await store.saveUnresolved(unresolved("1", 1_000));
    await store.saveUnresolved(unresolved("2", 2_000));
    await store.saveUnresolved({ ...unresolved("1", 9_000), attempts: 2 });
    expect(await rows.unresolved("1")).toEqual({ attempts: 2, nextAttemptAt: at(9_000) });
    const due = await store.listUnresolved({ dueBefore: at(3_000), limit: 10 });
    expect(due.map((u) => u.messageId)).toEqual(["2", "3"]);
    expect(await store.listUnresolved({ dueBefore: at(10_000), limit: 1 })).toEqual([unresolved("2", 2_000)]);
    expect(await store.listUnresolved({ dueBefore: new Date(8.64e15), limit: 10 })).toHaveLength(3);
    await store.deleteUnresolved({ messageId: "1" });
    expect(await rows.unresolved("1")).toBeNull();
  });

  it("the earliest next attempt of the unresolved identities is told; null when there is none", async () => {
    const { store } = await fresh();
    expect(await store.nextUnresolvedAt()).toBeNull();
    await store.saveUnresolved(unresolved("2", 20 * DAY));
    await store.saveUnresolved(unresolved("1", 2_000));
    expect(await store.nextUnresolvedAt()).toEqual(at(2_000));
    await store.deleteUnresolved({ messageId: "1" });
    expect(await store.nextUnresolvedAt()).toEqual(at(20 * DAY));
  });

  it("member sightings are kept per guild and sender; the cached identity takes the latest profile", async () => {
    const { store, rows } = await fresh();
    const seen = (id: string, name: string, guildId: string, ms: number) =>
      store.recordMemberSeen({ member: member(id, name), guildId, senderUserId: "u1", seenAt: at(ms) });
    await seen("aaaaa", "Alice", "g1", 0);
    await seen("aaaaa", "Ally [she/her]", "g1", DAY);
    await seen("aaaaa", "Ally [she/her]", "g2", 0);
    expect(await rows.members()).toEqual([{ key: "pk:uuid-aaaaa", displayName: "Ally [she/her]" }]);
    expect(await rows.sightings()).toEqual([
      { guildId: "g1", memberKey: "pk:uuid-aaaaa", senderUserId: "u1", seenAt: at(DAY) },
      { guildId: "g2", memberKey: "pk:uuid-aaaaa", senderUserId: "u1", seenAt: at(0) },
    ]);
  });

  it("stale members are those unseen in a guild since a time by their latest sighting over every sender, oldest first", async () => {
    const { store } = await fresh();
    const seen = (id: string, guildId: string, sender: string, ms: number) =>
      store.recordMemberSeen({ member: member(id), guildId, senderUserId: sender, seenAt: at(ms) });
    await seen("aaaaa", "g1", "u1", 0);
    await seen("bbbbb", "g1", "u1", 0);
    await seen("bbbbb", "g1", "u2", 40 * DAY);
    await seen("ccccc", "g2", "u1", DAY);
    const stale = await store.listStaleMembers({ seenBefore: at(30 * DAY), limit: 10 });
    expect(stale.map((m) => [m.guildId, m.memberId, m.lastSeenAt])).toEqual([
      ["g1", "aaaaa", at(0)],
      ["g2", "ccccc", at(DAY)],
    ]);
    expect(stale[0]).toMatchObject({ key: "pk:uuid-aaaaa", handle: "_pk_aaaaa", systemId: "sysxy" });
    expect(await store.listStaleMembers({ seenBefore: at(30 * DAY), limit: 1 })).toHaveLength(1);
  });

  it("a leaving user's members come with their other senders; forgetting senders and members drops orphaned identities", async () => {
    const { store, rows } = await fresh();
    const seen = (id: string, guildId: string, sender: string) =>
      store.recordMemberSeen({ member: member(id), guildId, senderUserId: sender, seenAt: at(0) });
    await seen("aaaaa", "g1", "u1");
    await seen("bbbbb", "g1", "u1");
    await seen("bbbbb", "g1", "u2");
    await seen("ccccc", "g2", "u1");
    const proxied = await store.listMembersProxiedBy({ guildId: "g1", userId: "u1" });
    expect(proxied.map((m) => [m.memberId, m.otherSenders])).toEqual([
      ["aaaaa", 0],
      ["bbbbb", 1],
    ]);
    await store.forgetMembers({ guildId: "g1", memberKeys: ["pk:uuid-aaaaa"] });
    await store.forgetSender({ guildId: "g1", userId: "u1" });
    expect((await rows.sightings()).map((s) => [s.guildId, s.memberKey, s.senderUserId])).toEqual([
      ["g1", "pk:uuid-bbbbb", "u2"],
      ["g2", "pk:uuid-ccccc", "u1"],
    ]);
    expect((await rows.members()).map((m) => m.key)).toEqual(["pk:uuid-bbbbb", "pk:uuid-ccccc"]);
  });
}
