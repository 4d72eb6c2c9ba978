import type { SyncItem, SyncOutcome } from "@guildkit/role-reconciler";
import { decodeTime, type GuildkitStore, UnknownMemberColumnError } from "@guildkit/store-kysely";
import { type Kysely, sql } from "kysely";
import { expect, it } from "vitest";
import { defineStoreCases } from "../define";

const D1 = "100000000000000001";
const D2 = "100000000000000002";
const ROLE = "900000000000000001";
const T0 = new Date("2026-01-01T00:00:00.000Z");
const COLUMNS = ["payment_status"];

// biome-ignore lint/suspicious/noExplicitAny: backdoor reads on any schema version
type Db = Kysely<any>;
// biome-ignore lint/suspicious/noExplicitAny: a row of any table
type AnyRow = Record<string, any>;

async function stateOf(db: Db, memberId: string): Promise<AnyRow | null> {
  const row: AnyRow | undefined = await db
    .selectFrom("role_sync_state")
    .selectAll()
    .where("member_id", "=", memberId)
    .executeTakeFirst();
  return row
    ? {
        ...row,
        dirty: row.dirty === true || row.dirty === 1,
        version: Number(row.version),
        nextDueAt: decodeTime(row.next_due_at),
      }
    : null;
}

async function member(
  store: GuildkitStore,
  discordUserId: string | null,
  paymentStatus: string | null = null,
) {
  return store.members.create({ email: `${Math.random()}@example.org`, discordUserId, paymentStatus });
}

const ok = (
  checkedAt: Date,
  nextDueAt: Date | null = new Date(checkedAt.getTime() + 3_600_000),
): SyncOutcome => ({
  state: "ok",
  checkedAt,
  nextDueAt,
  attempts: 0,
  lastError: null,
  forget: false,
});

async function claim(store: GuildkitStore, owner: string, now = T0, limit = 100, leaseMs = 60_000) {
  return store.roleSync.queue.claimDue({ owner, leaseMs, limit, now, columns: COLUMNS });
}

async function settle(store: GuildkitStore, now = T0) {
  for (;;) {
    const items = await claim(store, "settler", now, 500);
    if (items.length === 0) return;
    for (const item of items) await store.roleSync.queue.complete(item, ok(now, null));
  }
}

/** Role sync: claims and leases, level-triggered marking, the grant ledger, profiles. */
export const roleSyncCases = defineStoreCases("role-sync", ({ fresh, dialect }) => {
  it("linking a member marks it due at once; a claim leases it with its entitlement inputs", async () => {
    const { store, db } = await fresh();
    const m = await member(store, D1, "active");
    await member(store, null, "active");
    expect(await store.roleSync.queue.countDue({ now: T0 })).toBe(1);
    const [item, ...rest] = await claim(store, "w1");
    expect(rest).toEqual([]);
    expect(item).toMatchObject({
      memberId: m.id,
      discordUserId: D1,
      deleted: false,
      attributes: { payment_status: "active" },
      dirty: true,
      leaseOwner: "w1",
      attempts: 0,
    });
    expect(item!.leaseExpiresAt.toISOString()).toBe("2026-01-01T00:01:00.000Z");
    const row = await stateOf(db, m.id);
    expect(row?.lease_owner).toBe("w1");
    expect(await claim(store, "w2")).toEqual([]);
  });

  it("a lease older than its expiry is claimable by another worker; the first worker's completion is refused", async () => {
    const { store, db } = await fresh();
    const m = await member(store, D1, "active");
    const [first] = await claim(store, "w1");
    expect(await claim(store, "w2", new Date(T0.getTime() + 59_999))).toEqual([]);
    const [second] = await claim(store, "w2", new Date(T0.getTime() + 60_000));
    expect(second?.memberId).toBe(m.id);
    expect(await store.roleSync.queue.complete(first!, ok(T0))).toBe(false);
    expect(await store.roleSync.queue.release(first!)).toBe(false);
    expect((await stateOf(db, m.id))?.lease_owner).toBe("w2");
    expect(await store.roleSync.queue.complete(second!, ok(T0))).toBe(true);
    const row = await stateOf(db, m.id);
    expect(row).toMatchObject({ lease_owner: null, state: "ok", dirty: false });
    expect(row?.nextDueAt?.toISOString()).toBe("2026-01-01T01:00:00.000Z");
  });

  it("concurrent claimers never share a member", async () => {
    const { store } = await fresh();
    for (let i = 0; i < 120; i += 1) await member(store, String(200000000000000000n + BigInt(i)), "x");
    const seen = new Map<string, string>();
    const claimer = async (owner: string) => {
      for (;;) {
        const items = await claim(store, owner, T0, 7);
        if (items.length === 0) return;
        for (const item of items) {
          expect(seen.has(item.memberId)).toBe(false);
          seen.set(item.memberId, owner);
        }
        for (const item of items) await store.roleSync.queue.complete(item, ok(T0, null));
      }
    };
    await Promise.all(["a", "b", "c", "d"].map(claimer));
    expect(seen.size).toBe(120);
  });

  it("NULL ↔ value changes of payment_status mark the member due; an unchanged value or another column does not", async () => {
    const { store, db } = await fresh();
    const m = await member(store, D1, null);
    await settle(store);
    const v0 = (await stateOf(db, m.id))!.version;
    await db.updateTable("members").set({ name: "renamed" }).where("id", "=", m.id).execute();
    await db.updateTable("members").set({ payment_status: null }).where("id", "=", m.id).execute();
    expect(await store.roleSync.queue.countDue({ now: T0 })).toBe(0);
    await db.updateTable("members").set({ payment_status: "active" }).where("id", "=", m.id).execute();
    let row = (await stateOf(db, m.id))!;
    expect(row).toMatchObject({ dirty: true, version: v0 + 1 });
    expect(row.nextDueAt?.getTime()).toBe(0);
    await settle(store);
    await db.updateTable("members").set({ payment_status: "active" }).where("id", "=", m.id).execute();
    expect(await store.roleSync.queue.countDue({ now: T0 })).toBe(0);
    await db.updateTable("members").set({ payment_status: null }).where("id", "=", m.id).execute();
    row = (await stateOf(db, m.id))!;
    expect(row).toMatchObject({ dirty: true, version: v0 + 2 });
  });

  it("setting, changing and clearing discord_user_id mark the member due; deleting keeps its row, due", async () => {
    const { store, db } = await fresh();
    const m = await member(store, null, "active");
    expect(await stateOf(db, m.id)).toBeNull();
    await db.updateTable("members").set({ discord_user_id: D1 }).where("id", "=", m.id).execute();
    expect((await stateOf(db, m.id))?.dirty).toBe(true);
    await settle(store);
    await db.updateTable("members").set({ discord_user_id: D2 }).where("id", "=", m.id).execute();
    expect((await stateOf(db, m.id))?.dirty).toBe(true);
    await settle(store);
    await db.updateTable("members").set({ discord_user_id: null }).where("id", "=", m.id).execute();
    expect((await stateOf(db, m.id))?.dirty).toBe(true);
    await settle(store);
    await db.deleteFrom("members").where("id", "=", m.id).execute();
    expect((await stateOf(db, m.id))?.dirty).toBe(true);
    const [item] = await claim(store, "w1");
    expect(item).toMatchObject({ memberId: m.id, deleted: true, discordUserId: null });
    // Revocation done: the row is forgotten.
    expect(
      await store.roleSync.queue.complete(item!, { ...ok(T0, null), state: "unlinked", forget: true }),
    ).toBe(true);
    expect(await stateOf(db, m.id)).toBeNull();
  });

  it("a change made while a member is leased keeps it due after completion", async () => {
    const { store, db } = await fresh();
    const m = await member(store, D1, "active");
    const [item] = await claim(store, "w1");
    await db.updateTable("members").set({ payment_status: null }).where("id", "=", m.id).execute();
    expect(await store.roleSync.queue.complete(item!, ok(T0))).toBe(true);
    const row = (await stateOf(db, m.id))!;
    expect(row).toMatchObject({ dirty: true, lease_owner: null, state: "ok" });
    expect(row.nextDueAt?.getTime()).toBe(0);
  });

  it("completeMany records many outcomes at once, only under a held lease, keeping changed members due", async () => {
    const { store, db } = await fresh();
    await member(store, D1, "x");
    await member(store, D2, "x");
    await member(store, "100000000000000003", "x");
    const items = await claim(store, "w1");
    expect(items).toHaveLength(3);
    // One lease expires and another worker takes that member; then the member changes.
    const [taken] = await claim(store, "w2", new Date(T0.getTime() + 60_000), 1);
    await db.updateTable("members").set({ payment_status: null }).where("id", "=", taken!.memberId).execute();
    expect(await store.roleSync.queue.completeMany(items.map((item) => ({ item, outcome: ok(T0) })))).toBe(2);
    for (const item of items.filter((i) => i.memberId !== taken!.memberId)) {
      const row = await stateOf(db, item.memberId);
      expect(row).toMatchObject({ state: "ok", dirty: false, lease_owner: null });
      expect(row?.nextDueAt?.toISOString()).toBe("2026-01-01T01:00:00.000Z");
    }
    expect((await stateOf(db, taken!.memberId))?.lease_owner).toBe("w2");
    expect(await store.roleSync.queue.completeMany([{ item: taken!, outcome: ok(T0) }])).toBe(1);
    expect(await stateOf(db, taken!.memberId)).toMatchObject({ state: "ok", dirty: true, lease_owner: null });
  });

  it("changed members are claimed before scheduled re-checks", async () => {
    const { store, db } = await fresh();
    const a = await member(store, D1, "x");
    const b = await member(store, D2, "x");
    await settle(store);
    await store.roleSync.queue.scheduleFullPass({ now: T0, checkedBefore: new Date(T0.getTime() + 1) });
    await db.updateTable("members").set({ payment_status: null }).where("id", "=", b.id).execute();
    const items = await claim(store, "w1");
    expect(items.map((i: SyncItem) => i.memberId)).toEqual([b.id, a.id]);
  });

  it("the full pass makes due every linked member not checked since the cutoff, creating missing rows", async () => {
    const { store, db } = await fresh();
    const a = await member(store, D1, "x");
    await settle(store);
    const b = await member(store, D2, "x");
    await db.deleteFrom("role_sync_state").where("member_id", "=", b.id).execute();
    const later = new Date(T0.getTime() + 86_400_000);
    expect(await store.roleSync.queue.scheduleFullPass({ now: later, checkedBefore: T0 })).toBe(1);
    expect(await stateOf(db, b.id)).not.toBeNull();
    expect(await store.roleSync.queue.scheduleFullPass({ now: later, checkedBefore: later })).toBe(1);
    expect((await stateOf(db, a.id))?.nextDueAt?.toISOString()).toBe(later.toISOString());
    expect(await store.roleSync.queue.countDue({ now: later })).toBe(2);
  });

  it("markDue re-marks members by id and by state", async () => {
    const { store, db } = await fresh();
    const a = await member(store, D1, "x");
    const [item] = await claim(store, "w1");
    await store.roleSync.queue.complete(item!, {
      ...ok(T0),
      state: "permanent_error",
      attempts: 1,
      lastError: "role above the bot",
    });
    expect((await stateOf(db, a.id))?.last_error).toBe("role above the bot");
    expect(await store.roleSync.countByState()).toEqual({ permanent_error: 1 });
    expect(await store.roleSync.queue.markDue({ now: T0, states: ["permanent_error"] })).toBe(1);
    expect((await stateOf(db, a.id))?.dirty).toBe(true);
  });

  it("a member in backoff inside the look-ahead window is not claimed early; one not in backoff is", async () => {
    const { store, db } = await fresh();
    const backoff = await member(store, D1, "x");
    const scheduled = await member(store, D2, "x");
    const retryAt = new Date(T0.getTime() + 300_000);
    for (const item of await claim(store, "w1")) {
      await store.roleSync.queue.complete(
        item,
        item.memberId === backoff.id
          ? { ...ok(T0, retryAt), state: "retrying", attempts: 1, lastError: "HTTP 503" }
          : ok(T0, retryAt),
      );
    }
    const now = new Date(T0.getTime() + 1_000);
    const dueBy = new Date(now.getTime() + 3_600_000);
    expect(await store.roleSync.queue.countDue({ now, dueBy })).toBe(1);
    const early = await store.roleSync.queue.claimDue({
      owner: "w2",
      leaseMs: 60_000,
      limit: 10,
      now,
      dueBy,
      columns: COLUMNS,
    });
    expect(early.map((i) => i.memberId)).toEqual([scheduled.id]);
    expect((await stateOf(db, backoff.id))?.lease_owner).toBeNull();
    expect((await stateOf(db, scheduled.id))?.lease_owner).toBe("w2");
    const [retried] = await store.roleSync.queue.claimDue({
      owner: "w3",
      leaseMs: 60_000,
      limit: 10,
      now: retryAt,
      dueBy: new Date(retryAt.getTime() + 3_600_000),
      columns: COLUMNS,
    });
    expect(retried).toMatchObject({ memberId: backoff.id, attempts: 1, state: "retrying" });
  });

  it("the full pass leaves a member in backoff to its retry time", async () => {
    const { store, db } = await fresh();
    const backoff = await member(store, D1, "x");
    const scheduled = await member(store, D2, "x");
    const later = new Date(T0.getTime() + 7_200_000);
    for (const item of await claim(store, "w1")) {
      await store.roleSync.queue.complete(
        item,
        item.memberId === backoff.id
          ? { ...ok(T0, later), state: "retrying", attempts: 5, lastError: "HTTP 503" }
          : ok(T0, later),
      );
    }
    const now = new Date(T0.getTime() + 3_600_000);
    expect(await store.roleSync.queue.scheduleFullPass({ now, checkedBefore: now })).toBe(1);
    expect((await stateOf(db, backoff.id))?.nextDueAt?.toISOString()).toBe(later.toISOString());
    expect((await stateOf(db, scheduled.id))?.nextDueAt?.toISOString()).toBe(now.toISOString());
  });

  it("remembers the fingerprint of the settings last applied, one row replaced on each save", async () => {
    const { store, db } = await fresh();
    expect(await store.roleSync.queue.appliedSettings()).toBeNull();
    await store.roleSync.queue.saveAppliedSettings({ fingerprint: '["1",[]]', now: T0 });
    await store.roleSync.queue.saveAppliedSettings({ fingerprint: '["2",[]]', now: T0 });
    expect(await store.roleSync.queue.appliedSettings()).toBe('["2",[]]');
    const rows: AnyRow[] = await db.selectFrom("role_sync_settings").selectAll().execute();
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ name: "applied", fingerprint: '["2",[]]' });
    expect(decodeTime(rows[0]!.applied_at)?.toISOString()).toBe(T0.toISOString());
  });

  it("the grant ledger records, lists and forgets grants idempotently", async () => {
    const { store, db } = await fresh();
    const grant = { memberId: "7", discordUserId: D1, roleId: ROLE };
    await store.roleSync.ledger.add({ grants: [grant, grant] });
    await store.roleSync.ledger.add({ grants: [grant, { ...grant, discordUserId: D2 }] });
    const rows = await db.selectFrom("role_grants").selectAll().orderBy("discord_user_id").execute();
    expect(rows.map((r) => `${r.member_id}|${r.discord_user_id}|${r.role_id}`)).toEqual([
      `7|${D1}|${ROLE}`,
      `7|${D2}|${ROLE}`,
    ]);
    expect(await store.roleSync.ledger.list({ memberIds: ["7", "8"] })).toHaveLength(2);
    await store.roleSync.ledger.remove({ grants: [grant, grant] });
    expect(await store.roleSync.ledger.list({ memberIds: ["7"] })).toEqual([{ ...grant, discordUserId: D2 }]);
  });

  it("the ledger survives unlinking and deleting the member, so roles can be revoked", async () => {
    const { store, db } = await fresh();
    const m = await member(store, D1, "x");
    await store.roleSync.ledger.add({ grants: [{ memberId: m.id, discordUserId: D1, roleId: ROLE }] });
    await db.updateTable("members").set({ discord_user_id: D2 }).where("id", "=", m.id).execute();
    await db.deleteFrom("members").where("id", "=", m.id).execute();
    expect(await store.roleSync.ledger.list({ memberIds: [m.id] })).toEqual([
      { memberId: m.id, discordUserId: D1, roleId: ROLE },
    ]);
  });

  it("finds members by Discord id with the rule columns, and stores profiles with the avatar hash", async () => {
    const { store, db } = await fresh();
    const m = await member(store, D1, "gold");
    expect(
      await store.roleSync.linkedMembers.findByDiscordIds({ discordUserIds: [D1, D2], columns: COLUMNS }),
    ).toEqual([{ memberId: m.id, discordUserId: D1, attributes: { payment_status: "gold" } }]);
    await store.roleSync.profiles.save({
      memberId: m.id,
      displayName: "Al",
      avatar: { hash: "a_1", bytes: new Uint8Array([1, 2, 3]) },
    });
    await store.roleSync.profiles.save({ memberId: m.id, displayName: "Alice" });
    const row = await sql<
      Record<string, unknown>
    >`select discord_username, discord_avatar, discord_avatar_hash
      from members where id = ${m.id}`.execute(db);
    expect(row.rows[0]?.discord_username).toBe("Alice");
    expect(row.rows[0]?.discord_avatar_hash).toBe("a_1");
    expect([...(row.rows[0]!.discord_avatar as Uint8Array)]).toEqual([1, 2, 3]);
    // Profile writes never mark the member due.
    await settle(store);
    await store.roleSync.profiles.save({ memberId: m.id, displayName: "Bob" });
    expect(await store.roleSync.queue.countDue({ now: T0 })).toBe(0);
  });

  it("watches extra rule columns once told to, and refuses columns members lacks", async () => {
    const { store, db } = await fresh();
    await db.schema.alterTable("members").addColumn("tier", "text").execute();
    const m = await member(store, D1, null);
    await settle(store);
    await sql`update members set tier = ${"gold"} where id = ${m.id}`.execute(db);
    expect(await store.roleSync.queue.countDue({ now: T0 })).toBe(0);
    await store.roleSync.watchColumns({ columns: ["tier"] });
    await sql`update members set tier = ${null} where id = ${m.id}`.execute(db);
    expect(await store.roleSync.queue.countDue({ now: T0 })).toBe(1);
    await expect(store.roleSync.watchColumns({ columns: ["nope"] })).rejects.toBeInstanceOf(
      UnknownMemberColumnError,
    );
    expect(dialect).toMatch(/sqlite|postgres/);
  });
});
