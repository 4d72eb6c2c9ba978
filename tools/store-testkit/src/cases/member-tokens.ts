import { isSealedSecret, SecretBoxError, sealedKeyId } from "@guildkit/core";
import {
  createMemberTokenStore,
  createSecretStore,
  type Database,
  decodeId,
  decodeInteger,
  decodeTime,
  SecretKeyRequiredError,
} from "@guildkit/store-kysely";
import { type Kysely, sql } from "kysely";
import { expect, it } from "vitest";
import { defineStoreCases } from "../define";
import { defineMemberTokenStoreCases, type MemberTokenRow } from "../ports/member-token-store";
import { TEST_SECRET_KEY, TEST_SECRET_KEY_2, testSecretBox } from "../secret-box";

const T0 = new Date("2026-12-01T12:00:00.000Z");
const ACCESS = "plain-access-token-0123456789abcdef";
const REFRESH = "plain-refresh-token-0123456789abcdef";
const write = { accessToken: ACCESS, refreshToken: REFRESH, scopes: ["guilds.join"], expiresAt: T0, now: T0 };

async function tokenRow(db: Kysely<Database>, memberId: string): Promise<MemberTokenRow | null> {
  const row = await db
    .selectFrom("member_oauth_tokens")
    .select(["discord_user_id", "scopes", "expires_at", "consent_needed_at", "version"])
    .where("member_id", "=", memberId)
    .executeTakeFirst();
  if (!row) return null;
  return {
    discordUserId: row.discord_user_id,
    scopes: row.scopes.split(" ").filter(Boolean),
    expiresAt: decodeTime(row.expires_at) as Date,
    consentNeededAt: decodeTime(row.consent_needed_at),
    version: decodeInteger(row.version),
  };
}

async function rawTokens(db: Kysely<Database>) {
  return db.selectFrom("member_oauth_tokens").selectAll().orderBy("member_id").execute();
}

/**
 * Conformance of `store.oauth.memberTokens` (migration `012-member-tokens`): the port's cases on the
 * members table, then what only a database shows — tokens sealed at rest and bound to their row, no
 * key no write, key rotation re-seals them, a deleted member's grant kept for the revoke.
 */
export const memberTokenCases = defineStoreCases("member-tokens", ({ fresh, hostMembers }) => {
  const members = hostMembers?.members ?? { table: "members", id: "id", discordUserId: "discord_user_id" };
  let emails = 0;
  defineMemberTokenStoreCases(async () => {
    const { store, db } = await fresh();
    return {
      tokens: store.oauth.memberTokens,
      async createMember(discordUserId) {
        const created = await store.members.create({ email: `t${++emails}@example.test`, discordUserId });
        return created.id;
      },
      async relinkMember(memberId, discordUserId) {
        await sql`update ${sql.table(members.table)} set ${sql.ref(members.discordUserId)} = ${discordUserId}
          where ${sql.ref(members.id)} = ${memberId}`.execute(db);
      },
      async deleteMember(memberId) {
        await sql`delete from ${sql.table(members.table)} where ${sql.ref(members.id)} = ${memberId}`.execute(
          db,
        );
      },
      row: (memberId) => tokenRow(db, memberId),
    };
  });

  it("keeps both tokens sealed at rest: no column holds them in plaintext", async () => {
    const { store, db } = await fresh();
    const member = await store.members.create({
      email: "sealed@example.test",
      discordUserId: "812345678901234567",
    });
    await store.oauth.memberTokens.save({
      memberId: member.id,
      discordUserId: "812345678901234567",
      ...write,
    });
    const rows = await rawTokens(db);
    expect(rows).toHaveLength(1);
    expect(JSON.stringify(rows)).not.toContain(ACCESS);
    expect(JSON.stringify(rows)).not.toContain(REFRESH);
    expect(isSealedSecret(rows[0]?.access_token)).toBe(true);
    expect(isSealedSecret(rows[0]?.refresh_token)).toBe(true);
    expect(sealedKeyId(rows[0]?.access_token as string)).toBe(testSecretBox().currentKeyId);
    expect(await store.oauth.memberTokens.read({ memberId: member.id })).toMatchObject({
      accessToken: ACCESS,
    });
  });

  it("a sealed token copied to another member's row does not open (sealed for its member)", async () => {
    const { store, db } = await fresh();
    const a = await store.members.create({ email: "a@example.test", discordUserId: "812345678901234501" });
    const b = await store.members.create({ email: "b@example.test", discordUserId: "812345678901234502" });
    const tokens = store.oauth.memberTokens;
    await tokens.save({ memberId: a.id, discordUserId: "812345678901234501", ...write });
    await tokens.save({
      memberId: b.id,
      discordUserId: "812345678901234502",
      ...write,
      accessToken: "other",
    });
    const sealedA = (await rawTokens(db)).find((r) => decodeId(r.member_id) === a.id)?.access_token as string;
    await db
      .updateTable("member_oauth_tokens")
      .set({ access_token: sealedA })
      .where("member_id", "=", b.id)
      .execute();
    await expect(tokens.read({ memberId: b.id })).rejects.toMatchObject({
      name: "SecretBoxError",
      reason: "tampered",
    });
    await expect(tokens.read({ memberId: b.id })).rejects.toBeInstanceOf(SecretBoxError);
  });

  it("a store without a secret key refuses to keep tokens (SecretKeyRequiredError) and writes nothing", async () => {
    const { db, store } = await fresh();
    const member = await store.members.create({
      email: "nokey@example.test",
      discordUserId: "812345678901234599",
    });
    const keyless = createMemberTokenStore(db, store.dialect, null, store.membersTable);
    await expect(
      keyless.save({ memberId: member.id, discordUserId: "812345678901234599", ...write }),
    ).rejects.toBeInstanceOf(SecretKeyRequiredError);
    expect(await rawTokens(db)).toEqual([]);
  });

  it("secrets.rotate() re-seals the tokens with the new key; the old key can then be dropped", async () => {
    const { db, store } = await fresh();
    const member = await store.members.create({
      email: "rot@example.test",
      discordUserId: "812345678901234577",
    });
    await store.oauth.memberTokens.save({
      memberId: member.id,
      discordUserId: "812345678901234577",
      ...write,
    });
    const rotated = testSecretBox([TEST_SECRET_KEY_2, TEST_SECRET_KEY]);
    const report = await createSecretStore(db, store.dialect, rotated).rotate();
    expect(report.resealed).toBeGreaterThanOrEqual(1);
    const row = (await rawTokens(db))[0];
    expect(sealedKeyId(row?.access_token as string)).toBe(rotated.currentKeyId);
    expect(sealedKeyId(row?.refresh_token as string)).toBe(rotated.currentKeyId);
    const newOnly = createMemberTokenStore(
      db,
      store.dialect,
      testSecretBox([TEST_SECRET_KEY_2]),
      store.membersTable,
    );
    expect(await newOnly.read({ memberId: member.id })).toMatchObject({
      accessToken: ACCESS,
      refreshToken: REFRESH,
    });
  });

  it("deleting a member keeps its grant (no cascade) so the worker can revoke it at Discord first", async () => {
    const { db, store } = await fresh();
    const member = await store.members.create({
      email: "del@example.test",
      discordUserId: "812345678901234588",
    });
    await store.oauth.memberTokens.save({
      memberId: member.id,
      discordUserId: "812345678901234588",
      ...write,
    });
    await sql`delete from ${sql.table(members.table)} where ${sql.ref(members.id)} = ${member.id}`.execute(
      db,
    );
    expect(await rawTokens(db)).toHaveLength(1);
    expect((await store.oauth.memberTokens.listOrphans({ limit: 5 })).map((o) => o.memberId)).toEqual([
      member.id,
    ]);
  });
});
