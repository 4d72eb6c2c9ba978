import { describe, expect, it } from "vitest";
import { handleMemberLeave, listMembersForLeave, listStaleMembers, sweepStaleMembers } from "./cleanup";
import { createMemorySpeedbumpStore } from "./memory-store";
import type { ProxyMemberRecord } from "./ports";

const DAY = 86_400_000;
const start = Date.parse("2026-01-01T00:00:00Z");
const member = (id: string): ProxyMemberRecord => ({
  key: `pk:uuid-${id}`,
  memberId: id,
  memberUuid: `uuid-${id}`,
  systemId: "sys",
  systemUuid: "sys-uuid",
  handle: `_pk_${id}`,
  displayName: id,
  avatarUrl: null,
});

async function seeded() {
  const store = createMemorySpeedbumpStore();
  // Alice proxies "aaaaa" (day 0) and "bbbbb" (day 40); Bob shares "bbbbb" on day 1; "ccccc" in another guild.
  await store.recordMemberSeen({
    member: member("aaaaa"),
    guildId: "g1",
    senderUserId: "alice",
    seenAt: new Date(start),
  });
  await store.recordMemberSeen({
    member: member("bbbbb"),
    guildId: "g1",
    senderUserId: "bob",
    seenAt: new Date(start + DAY),
  });
  await store.recordMemberSeen({
    member: member("bbbbb"),
    guildId: "g1",
    senderUserId: "alice",
    seenAt: new Date(start + 40 * DAY),
  });
  await store.recordMemberSeen({
    member: member("ccccc"),
    guildId: "g2",
    senderUserId: "alice",
    seenAt: new Date(start),
  });
  return store;
}

const clockAt = (ms: number) => ({ now: () => new Date(ms) });

describe("members not seen for N days", () => {
  it("are listed per guild, by their latest sighting over every sender", async () => {
    const store = await seeded();
    const stale = await listStaleMembers({ store, clock: clockAt(start + 45 * DAY), maxIdleDays: 30 });
    expect(stale.map((m) => [m.guildId, m.memberId])).toEqual([
      ["g1", "aaaaa"],
      ["g2", "ccccc"],
    ]);
    expect(await listStaleMembers({ store, clock: clockAt(start + 45 * DAY), maxIdleDays: 50 })).toEqual([]);
  });

  it("a sweep removes them through the callback, then forgets them; a failed removal is kept", async () => {
    const store = await seeded();
    const result = await sweepStaleMembers({
      store,
      clock: clockAt(start + 45 * DAY),
      maxIdleDays: 30,
      remove: async (m) => {
        if (m.memberId === "ccccc") throw new Error("matrix down");
      },
    });
    expect(result.removed.map((m) => m.memberId)).toEqual(["aaaaa"]);
    expect(result.failed.map((m) => m.memberId)).toEqual(["ccccc"]);
    const again = await listStaleMembers({ store, clock: clockAt(start + 45 * DAY), maxIdleDays: 30 });
    expect(again.map((m) => m.memberId)).toEqual(["ccccc"]);
  });

  it("rejects a non-positive number of days", async () => {
    await expect(
      listStaleMembers({ store: createMemorySpeedbumpStore(), clock: clockAt(0), maxIdleDays: 0 }),
    ).rejects.toThrow(RangeError);
  });
});

describe("a Discord user leaving the server", () => {
  it("lists the members only they proxied there, not shared ones nor other guilds'", async () => {
    const store = await seeded();
    const members = await listMembersForLeave({ store, guildId: "g1", userId: "alice" });
    expect(members.map((m) => m.memberId)).toEqual(["aaaaa"]);
  });

  it("handleMemberLeave removes them, forgets the user's sightings, and leaves shared members to the other sender", async () => {
    const store = await seeded();
    const removed: string[] = [];
    await handleMemberLeave({
      store,
      guildId: "g1",
      userId: "alice",
      remove: async (m) => void removed.push(m.memberId),
    });
    expect(removed).toEqual(["aaaaa"]);
    expect(await store.listMembersProxiedBy({ guildId: "g1", userId: "alice" })).toEqual([]);
    // Bob is now the only sender of "bbbbb": when he leaves, it goes too.
    expect(
      (await listMembersForLeave({ store, guildId: "g1", userId: "bob" })).map((m) => m.memberId),
    ).toEqual(["bbbbb"]);
    // Other guilds are untouched.
    expect(await store.listMembersProxiedBy({ guildId: "g2", userId: "alice" })).toHaveLength(1);
  });

  it("a failed removal forgets nothing, so the call can be retried", async () => {
    const store = await seeded();
    await expect(
      handleMemberLeave({
        store,
        guildId: "g1",
        userId: "alice",
        remove: async () => {
          throw new Error("down");
        },
      }),
    ).rejects.toThrow("down");
    expect(await listMembersForLeave({ store, guildId: "g1", userId: "alice" })).toHaveLength(1);
  });
});
