import type { AccountTransactions } from "@guildkit/oauth-state";
import {
  type Database,
  type Dialect,
  decodeTime,
  encodeTime,
  type GuildkitStore,
} from "@guildkit/store-kysely";
import { type Kysely, sql } from "kysely";
import { describe, expect, it } from "vitest";
import { defineStoreCases } from "../define";
import { defineMemberAccountsCases } from "../ports/member-accounts";
import { defineNonceStoreCases } from "../ports/nonce-store";

const T0 = new Date("2026-11-23T12:00:00.000Z");
const at = (seconds: number) => new Date(T0.getTime() + seconds * 1000);

/** Where a changed member is due: the epoch, before every scheduled re-check. */
const EPOCH = new Date(0);

const dirtyValue = (dialect: Dialect, value: boolean) =>
  dialect === "postgres" ? sql`${value}` : sql`${value ? 1 : 0}`;

/** The member's role-sync row, read straight from `role_sync_state`. */
async function syncStateOf(db: Kysely<Database>, memberId: string) {
  const { rows } = await sql<{ dirty: unknown; next_due_at: unknown; marked_at: unknown }>`
    select dirty, next_due_at, marked_at from role_sync_state where member_id = ${memberId}`.execute(db);
  const row = rows[0];
  if (row === undefined) return null;
  return {
    dirty: row.dirty === true || row.dirty === 1,
    nextDueAt: decodeTime(row.next_due_at),
    markedAt: decodeTime(row.marked_at),
  };
}

const PROFILE = {
  discordUserId: "80351110224678912",
  email: "nelly@example.com",
  username: "nelly",
  globalName: "Nelly",
  avatar: "8342729096ea3675442027381ff50dfe",
};

/**
 * The `AccountTransactions` of `@guildkit/oauth-state` on a store, as the reference server wires it:
 * `store.transaction` binding `oauth.memberAccounts` and `roleSync.queue`.
 */
export function storeAccountTransactions(store: GuildkitStore): AccountTransactions {
  return {
    run: (fn, opts) =>
      store.transaction((tx) => fn({ accounts: tx.oauth.memberAccounts, syncDue: tx.roleSync.queue }), opts),
  };
}

/** What the flows write for a link: the member row, then (when linked) the due mark, in one transaction. */
function linkWithDue(store: GuildkitStore, memberId: string, now: Date, profile = PROFILE) {
  return storeAccountTransactions(store).run(async (tx) => {
    const linked = await tx.accounts.linkDiscord({ memberId, profile, now });
    if (linked.linked) await tx.syncDue.markDue({ memberIds: [memberId], now });
    return linked;
  });
}

/** The `oauth_states` record of `nonce`, read straight from the table. */
async function nonceRow(db: Kysely<Database>, nonce: string) {
  const row = await db
    .selectFrom("oauth_states")
    .select("expires_at")
    .where("nonce", "=", nonce)
    .executeTakeFirst();
  return row ? { expiresAt: decodeTime(row.expires_at) as Date } : null;
}

/** The member row of `memberId`, read straight from `members` (`null` for an id the column refuses). */
async function memberRow(db: Kysely<Database>, memberId: string) {
  if (!/^\d+$/.test(memberId)) return null;
  const row = await db
    .selectFrom("members")
    .select(["email", "discord_user_id", "discord_email", "discord_username"])
    .where("id", "=", memberId)
    .executeTakeFirst();
  return row
    ? {
        email: row.email,
        discordUserId: row.discord_user_id,
        discordEmail: row.discord_email,
        discordUsername: row.discord_username,
      }
    : null;
}

/** Conformance of the OAuth ports (`store.oauth.nonces`, `store.oauth.memberAccounts`), migration 003-oauth. */
export const oauthCases = defineStoreCases("oauth", ({ fresh, dialect }) => {
  describe("NonceStore port", () =>
    defineNonceStoreCases(async () => {
      const { store, db } = await fresh();
      return { nonces: store.oauth.nonces, row: (nonce) => nonceRow(db, nonce) };
    }));
  describe("MemberAccounts port", () =>
    defineMemberAccountsCases(async () => {
      const { store, db } = await fresh();
      return {
        accounts: store.oauth.memberAccounts,
        createMember: async (input) => (await store.members.create(input)).id,
        row: (memberId) => memberRow(db, memberId),
        count: async () => {
          const row = await db
            .selectFrom("members")
            .select(db.fn.countAll().as("n"))
            .executeTakeFirstOrThrow();
          return Number(row.n);
        },
      };
    }));

  it("a state nonce is consumed once; the row records its expiry and when it was spent", async () => {
    const { store, db } = await fresh();
    const nonces = store.oauth.nonces;
    expect(await nonces.consume({ nonce: "n-1", expiresAt: at(300), now: T0 })).toBe(true);
    expect(await nonces.consume({ nonce: "n-1", expiresAt: at(300), now: at(1) })).toBe(false);
    const rows = await db.selectFrom("oauth_states").select(["nonce", "expires_at", "consumed_at"]).execute();
    expect(rows).toHaveLength(1);
    expect(decodeTime(rows[0]?.expires_at)).toEqual(at(300));
    expect(decodeTime(rows[0]?.consumed_at)).toEqual(T0);
  });

  it("linkDiscord to another Discord account clears the previous account's avatar; relinking the same keeps it", async () => {
    const { store, db } = await fresh();
    const member = await store.members.create({ email: "m@example.com", discordUserId: "111" });
    const avatar = async () => {
      const { rows } = await sql<{ discord_avatar: Uint8Array | null; discord_avatar_hash: string | null }>`
        select discord_avatar, discord_avatar_hash from members where id = ${member.id}`.execute(db);
      return [rows[0]?.discord_avatar === null ? null : "bytes", rows[0]?.discord_avatar_hash ?? null];
    };
    await sql`update members set discord_avatar = ${Buffer.from([137, 80, 78, 71])},
      discord_avatar_hash = 'old-hash' where id = ${member.id}`.execute(db);
    const accounts = store.oauth.memberAccounts;
    await accounts.linkDiscord({
      memberId: member.id,
      profile: { ...PROFILE, discordUserId: "111" },
      now: T0,
    });
    expect(await avatar()).toEqual(["bytes", "old-hash"]);
    await accounts.linkDiscord({ memberId: member.id, profile: PROFILE, now: T0 });
    expect(await avatar()).toEqual([null, null]);
  });

  it("create stores the member's name and creation time, once per Discord account", async () => {
    const { store, db } = await fresh();
    const created = await store.oauth.memberAccounts.create({ profile: PROFILE, now: T0 });
    expect(created.created).toBe(true);
    const memberId = created.created ? created.memberId : "";
    const row = await db
      .selectFrom("members")
      .select(["email", "name", "discord_user_id", "discord_email", "created_at"])
      .where("id", "=", memberId)
      .executeTakeFirstOrThrow();
    expect(row).toMatchObject({
      email: "nelly@example.com",
      name: "Nelly",
      discord_user_id: PROFILE.discordUserId,
      discord_email: "nelly@example.com",
    });
    expect(decodeTime(row.created_at)).toBeInstanceOf(Date);
    expect(
      await store.oauth.memberAccounts.create({ profile: { ...PROFILE, email: "x@example.com" }, now: T0 }),
    ).toEqual({
      created: false,
      reason: "discord_account_taken",
    });
    const count = await db.selectFrom("members").select(db.fn.countAll().as("n")).executeTakeFirstOrThrow();
    expect(Number(count.n)).toBe(1);
  });

  it("create tells a taken email from a taken Discord account when the host's schema makes email unique", async () => {
    const { store, db } = await fresh();
    await sql`create unique index members_email_unique on members (email)`.execute(db);
    await store.members.create({ email: "nelly@example.com" });
    const accounts = store.oauth.memberAccounts;
    expect(await accounts.create({ profile: PROFILE, now: T0 })).toEqual({
      created: false,
      reason: "email_taken",
    });
    await store.members.create({ email: "h@example.com", discordUserId: "222" });
    expect(
      await accounts.create({
        profile: { ...PROFILE, discordUserId: "222", email: "new@example.com" },
        now: T0,
      }),
    ).toEqual({ created: false, reason: "discord_account_taken" });
    const count = await db.selectFrom("members").select(db.fn.countAll().as("n")).executeTakeFirstOrThrow();
    expect(Number(count.n)).toBe(2);
  });

  it("a link with its due mark in one store.transaction: seed marker cleared, role_sync_state due", async () => {
    const { store, db } = await fresh();
    const member = await store.members.create({ email: "m@example.com" });
    await db
      .updateTable("members")
      .set({ discord_last_synced: 1_700_000_000 })
      .where("id", "=", member.id)
      .execute();
    await linkWithDue(store, member.id, T0);
    const row = await db
      .selectFrom("members")
      .select("discord_last_synced")
      .where("id", "=", member.id)
      .executeTakeFirst();
    expect(row?.discord_last_synced).toBeNull();
    expect(await syncStateOf(db, member.id)).toEqual({ dirty: true, nextDueAt: EPOCH, markedAt: T0 });
  });

  it("a link of the account already linked marks the member due again, though no column changed", async () => {
    const { store, db } = await fresh();
    const member = await store.members.create({
      email: "m@example.com",
      discordUserId: PROFILE.discordUserId,
    });
    // As after a completed sync: not dirty, due in a day, the seed marker already clear.
    await sql`update role_sync_state set dirty = ${dirtyValue(dialect, false)},
      next_due_at = ${encodeTime(dialect, at(86_400))} where member_id = ${member.id}`.execute(db);
    await linkWithDue(store, member.id, at(5));
    expect(await syncStateOf(db, member.id)).toEqual({ dirty: true, nextDueAt: EPOCH, markedAt: at(5) });
  });

  it("create marks the new member due for role sync with the insert, in one store.transaction", async () => {
    const { store, db } = await fresh();
    const created = await storeAccountTransactions(store).run(async (tx) => {
      const result = await tx.accounts.create({ profile: PROFILE, now: at(7) });
      if (result.created) await tx.syncDue.markDue({ memberIds: [result.memberId], now: at(7) });
      return result;
    });
    const memberId = created.created ? created.memberId : "";
    expect(await syncStateOf(db, memberId)).toEqual({ dirty: true, nextDueAt: EPOCH, markedAt: at(7) });
  });

  it("a refused link (account linked to another member) writes nothing, not even a due mark", async () => {
    const { store, db } = await fresh();
    await store.members.create({ email: "h@example.com", discordUserId: PROFILE.discordUserId });
    const member = await store.members.create({ email: "m@example.com" });
    const result = await linkWithDue(store, member.id, T0);
    expect(result).toEqual({ linked: false, reason: "discord_account_taken" });
    expect(await syncStateOf(db, member.id)).toBeNull();
  });

  it("inside store.transaction the link and its due mark commit or roll back together", async () => {
    const { store, db } = await fresh();
    const member = await store.members.create({ email: "m@example.com" });
    const linkedId = async () =>
      (
        await db
          .selectFrom("members")
          .select("discord_user_id")
          .where("id", "=", member.id)
          .executeTakeFirst()
      )?.discord_user_id;
    await expect(
      storeAccountTransactions(store).run(async (tx) => {
        await tx.accounts.linkDiscord({ memberId: member.id, profile: PROFILE, now: T0 });
        await tx.syncDue.markDue({ memberIds: [member.id], now: T0 });
        throw new Error("the caller's next step failed");
      }),
    ).rejects.toThrow("the caller's next step failed");
    expect(await linkedId()).toBeNull();
    expect(await syncStateOf(db, member.id)).toBeNull();
    await linkWithDue(store, member.id, T0);
    expect(await linkedId()).toBe(PROFILE.discordUserId);
    expect(await syncStateOf(db, member.id)).toEqual({ dirty: true, nextDueAt: EPOCH, markedAt: T0 });
  });
});
