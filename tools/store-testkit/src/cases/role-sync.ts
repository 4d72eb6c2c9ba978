import type { SyncOutcome } from "@guildkit/role-reconciler";
import { decodeId, decodeTime, type GuildkitStore, UnknownMemberColumnError } from "@guildkit/store-kysely";
import { type Kysely, sql } from "kysely";
import { describe, expect, it } from "vitest";
import { defineStoreCases, type TestStoreHandle } from "../define";
import { defineRoleLedgerCases } from "../ports/role-sync-ledger";
import { defineSyncQueueCases } from "../ports/role-sync-queue";
import type { RoleSyncSubject, SyncRowView } from "../ports/role-sync-subject";

const D1 = "100000000000000001";
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

/** A store's role-sync ports as a kit subject: host writes go to `members`, reads straight to the tables. */
function sqlSubject({ store, db }: TestStoreHandle): RoleSyncSubject {
  return {
    queue: store.roleSync.queue,
    ledger: store.roleSync.ledger,
    linkedMembers: store.roleSync.linkedMembers,
    profiles: store.roleSync.profiles,
    createMember: async ({ discordUserId, paymentStatus }) =>
      (await member(store, discordUserId, paymentStatus)).id,
    async updateMember(id, patch) {
      const set: AnyRow = {};
      if (patch.discordUserId !== undefined) set.discord_user_id = patch.discordUserId;
      if (patch.paymentStatus !== undefined) set.payment_status = patch.paymentStatus;
      await db.updateTable("members").set(set).where("id", "=", id).execute();
    },
    async deleteMember(id) {
      await db.deleteFrom("members").where("id", "=", id).execute();
    },
    async syncRow(memberId): Promise<SyncRowView | null> {
      const row = await stateOf(db, memberId);
      if (!row) return null;
      return {
        leaseOwner: row.lease_owner ?? null,
        state: row.state ?? null,
        dirty: row.dirty,
        version: row.version,
        nextDueAt: row.nextDueAt ?? null,
        attempts: Number(row.attempts ?? 0),
        lastError: row.last_error ?? null,
      };
    },
    async dropSyncRow(memberId) {
      await db.deleteFrom("role_sync_state").where("member_id", "=", memberId).execute();
    },
    async grantKeys() {
      const rows: AnyRow[] = await db.selectFrom("role_grants").selectAll().execute();
      return rows.map((r) => `${decodeId(r.member_id)}|${r.discord_user_id}|${r.role_id}`).sort();
    },
    async grantDetails() {
      const rows: AnyRow[] = await db.selectFrom("role_grants").selectAll().execute();
      return rows
        .map(
          (r) =>
            `${decodeId(r.member_id)}|${r.discord_user_id}|${r.role_id}|${r.origin ?? null}|${decodeTime(r.lapsed_at)?.toISOString() ?? null}`,
        )
        .sort();
    },
    async profile(memberId) {
      const rows = await sql<AnyRow>`select discord_username, discord_avatar, discord_avatar_hash
        from members where id = ${memberId}`.execute(db);
      const row = rows.rows[0];
      if (!row) return null;
      return {
        displayName: row.discord_username ?? null,
        avatarHash: row.discord_avatar_hash ?? null,
        avatarBytes: row.discord_avatar ? [...(row.discord_avatar as Uint8Array)] : null,
      };
    },
  };
}

/**
 * Role sync: the port kits (claims and leases, level-triggered marking, outcomes, the grant
 * ledger, profiles) on the store's tables and triggers, and what only a SQL store has (raw updates
 * seen by the triggers, extra rule columns, state counts, the settings row).
 */
export const roleSyncCases = defineStoreCases("role-sync", ({ fresh, dialect }) => {
  describe("SyncQueue", () => defineSyncQueueCases(async () => sqlSubject(await fresh())));
  describe("GrantLedger, LinkedMembers, MemberProfiles", () =>
    defineRoleLedgerCases(async () => sqlSubject(await fresh())));

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

  it("countByState counts members per recorded state; markDue re-marks them by state", async () => {
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
