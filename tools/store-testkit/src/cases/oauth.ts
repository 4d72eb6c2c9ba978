import type { AccountTransactions } from "@guildkit/oauth-state";
import {
  type Database,
  type Dialect,
  decodeId,
  decodeTime,
  encodeTime,
  type GuildkitStore,
} from "@guildkit/store-kysely";
import { type Kysely, sql } from "kysely";
import { expect, it } from "vitest";
import { defineStoreCases } from "../define";

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

/** Conformance of the OAuth ports (`store.oauth.nonces`, `store.oauth.memberAccounts`), migration 003-oauth. */
export const oauthCases = defineStoreCases("oauth", ({ fresh, dialect }) => {
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

  it("of many concurrent redemptions of one nonce exactly one wins", async () => {
    const { store } = await fresh();
    const results = await Promise.all(
      Array.from({ length: 10 }, () =>
        store.oauth.nonces.consume({ nonce: "race", expiresAt: at(60), now: T0 }),
      ),
    );
    expect(results.filter(Boolean)).toHaveLength(1);
  });

  it("purgeExpired deletes the nonces whose tokens expired and keeps the others", async () => {
    const { store, db } = await fresh();
    await store.oauth.nonces.consume({ nonce: "link", expiresAt: at(60), now: T0 });
    await store.oauth.nonces.consume({ nonce: "signup", expiresAt: at(600), now: T0 });
    expect(await store.oauth.nonces.purgeExpired({ now: at(60) })).toBe(1);
    const left = await db.selectFrom("oauth_states").select("nonce").execute();
    expect(left.map((r) => r.nonce)).toEqual(["signup"]);
  });

  it("finds members by Discord id and by email case-insensitively, lowest id first", async () => {
    const { store } = await fresh();
    const a = await store.members.create({ email: "Nelly@Example.com" });
    await store.members.create({ email: "nelly@example.com" });
    const linked = await store.members.create({ email: "other@example.com", discordUserId: "111" });
    const accounts = store.oauth.memberAccounts;
    expect(await accounts.findByVerifiedEmail({ email: "nelly@example.com" })).toEqual({
      memberId: a.id,
      discordUserId: null,
    });
    expect(await accounts.findByDiscordUserId({ discordUserId: "111" })).toEqual({
      memberId: linked.id,
      discordUserId: "111",
    });
    expect(await accounts.findByDiscordUserId({ discordUserId: "222" })).toBeNull();
    expect(await accounts.findByVerifiedEmail({ email: "nobody@example.com" })).toBeNull();
  });

  it("matches by email lower-casing ASCII letters only: a verified \u212Aelly@example.test (Kelvin sign) never finds kelly@example.test", async () => {
    const { store } = await fresh();
    // The look-alike first: lowest id, so a Unicode-folding comparison would pick it.
    const lookAlike = await store.members.create({ email: "\u212Aelly@Example.test" });
    const kelly = await store.members.create({ email: "Kelly@example.test" });
    const accounts = store.oauth.memberAccounts;
    expect(await accounts.findByVerifiedEmail({ email: "kelly@example.test" })).toEqual({
      memberId: kelly.id,
      discordUserId: null,
    });
    expect(await accounts.findByVerifiedEmail({ email: "\u212Aelly@example.test" })).toEqual({
      memberId: lookAlike.id,
      discordUserId: null,
    });
    const { store: other } = await fresh();
    await other.members.create({ email: "kelly@example.test" });
    expect(
      await other.oauth.memberAccounts.findByVerifiedEmail({ email: "\u212Aelly@example.test" }),
    ).toBeNull();
    expect(
      await other.oauth.memberAccounts.findByVerifiedEmail({ email: "\u212Aelly@Example.test" }),
    ).toBeNull();
  });

  it("linkDiscord stores the Discord id, email and name on the member row", async () => {
    const { store, db } = await fresh();
    const member = await store.members.create({ email: "m@example.com" });
    expect(
      await store.oauth.memberAccounts.linkDiscord({ memberId: member.id, profile: PROFILE, now: T0 }),
    ).toEqual({
      linked: true,
    });
    const row = await db
      .selectFrom("members")
      .select(["discord_user_id", "discord_email", "discord_username", "email"])
      .where("id", "=", member.id)
      .executeTakeFirstOrThrow();
    expect(row).toEqual({
      discord_user_id: PROFILE.discordUserId,
      discord_email: "nelly@example.com",
      discord_username: "Nelly",
      email: "m@example.com",
    });
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

  it("linkDiscord with no verified email clears the stored Discord email", async () => {
    const { store, db } = await fresh();
    const member = await store.members.create({ email: "m@example.com", discordEmail: "old@example.com" });
    await store.oauth.memberAccounts.linkDiscord({
      memberId: member.id,
      profile: { ...PROFILE, email: null },
      now: T0,
    });
    const row = await db
      .selectFrom("members")
      .select("discord_email")
      .where("id", "=", member.id)
      .executeTakeFirst();
    expect(row?.discord_email).toBeNull();
  });

  it("linkDiscord refuses a Discord account linked to another member and changes nothing", async () => {
    const { store, db } = await fresh();
    const holder = await store.members.create({
      email: "h@example.com",
      discordUserId: PROFILE.discordUserId,
    });
    const member = await store.members.create({ email: "m@example.com" });
    expect(
      await store.oauth.memberAccounts.linkDiscord({ memberId: member.id, profile: PROFILE, now: T0 }),
    ).toEqual({
      linked: false,
      reason: "discord_account_taken",
    });
    const rows = await db.selectFrom("members").select(["id", "discord_user_id"]).orderBy("id").execute();
    expect(rows.map((r) => [decodeId(r.id), r.discord_user_id])).toEqual([
      [holder.id, PROFILE.discordUserId],
      [member.id, null],
    ]);
  });

  it("linkDiscord reports a member that does not exist", async () => {
    const { store } = await fresh();
    for (const memberId of ["999999", "not-a-number"]) {
      expect(await store.oauth.memberAccounts.linkDiscord({ memberId, profile: PROFILE, now: T0 })).toEqual({
        linked: false,
        reason: "member_not_found",
      });
    }
  });

  it("create inserts a linked member, and refuses a Discord account another member holds", async () => {
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

  it("findByMemberId returns the member with its linked account and name, null for an unknown id", async () => {
    const { store } = await fresh();
    const linked = await store.members.create({
      email: "l@example.com",
      discordUserId: "111",
      discordUsername: "Old Name",
    });
    const unlinked = await store.members.create({ email: "u@example.com" });
    const accounts = store.oauth.memberAccounts;
    expect(await accounts.findByMemberId({ memberId: linked.id })).toEqual({
      memberId: linked.id,
      discordUserId: "111",
      discordUsername: "Old Name",
    });
    expect(await accounts.findByMemberId({ memberId: unlinked.id })).toEqual({
      memberId: unlinked.id,
      discordUserId: null,
      discordUsername: null,
    });
    for (const memberId of ["999999", "not-a-number"]) {
      expect(await accounts.findByMemberId({ memberId })).toBeNull();
    }
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
