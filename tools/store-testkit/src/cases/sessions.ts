import { createSessions, hashSessionId } from "@guildkit/oauth-state";
import {
  type Dialect,
  decodeId,
  decodeTime,
  MigrationError,
  migrateToLatest,
  migrations,
} from "@guildkit/store-kysely";
import { type Kysely, sql } from "kysely";
import { expect, it } from "vitest";
import { defineStoreCases } from "../define";
import { createSeedSystemDatabase } from "../fixtures/seed-system";
import { defineSessionStoreCases } from "../ports/session-store";

const T0 = new Date("2026-11-23T12:00:00.000Z");
const at = (seconds: number) => new Date(T0.getTime() + seconds * 1000);

// biome-ignore lint/suspicious/noExplicitAny: backdoor reads on any schema version
type Db = Kysely<any>;

/** The session row of `idHash`, read straight from the table (`sessions`, or `admin_sessions`). */
export async function sessionRow(db: Db, idHash: string, table: "sessions" | "admin_sessions" = "sessions") {
  const row = await db
    .selectFrom(table)
    .select(["member_id", "created_at", "last_seen_at", "expires_at"])
    .where("id_hash", "=", idHash)
    .executeTakeFirst();
  return row
    ? {
        memberId: decodeId(row.member_id),
        createdAt: decodeTime(row.created_at) as Date,
        lastSeenAt: decodeTime(row.last_seen_at) as Date,
        expiresAt: decodeTime(row.expires_at) as Date,
      }
    : null;
}

async function sessionMembers(db: Db): Promise<string[]> {
  const rows = await db.selectFrom("sessions").select("member_id").orderBy("id_hash").execute();
  return rows.map((r: { member_id: unknown }) => decodeId(r.member_id));
}

async function addSession(db: Db, dialect: Dialect, idHash: string, memberId: string | number) {
  const time = (d: Date) => (dialect === "postgres" ? d : d.toISOString());
  await db
    .insertInto("sessions")
    .values({
      id_hash: idHash,
      member_id: memberId,
      created_at: time(T0),
      last_seen_at: time(T0),
      expires_at: time(at(3600)),
    })
    .execute();
}

/** Conformance of `store.oauth.sessions` (migration `009-sessions`), on top of the port's own cases. */
export const sessionCases = defineStoreCases("sessions", ({ fresh, dialect }) => {
  let members = 0;
  defineSessionStoreCases(async () => {
    const { store, db } = await fresh();
    return {
      sessions: store.oauth.sessions,
      createMember: async () => (await store.members.create({ email: `s${++members}@example.test` })).id,
      row: (idHash) => sessionRow(db, idHash),
    };
  });

  it("stores only the SHA-256 of the session id: the cookie's value is in no column", async () => {
    const { store, db } = await fresh();
    const member = await store.members.create({ email: "m@example.test" });
    const sessions = createSessions({
      store: store.oauth.sessions,
      clock: { now: () => T0 },
      secureCookies: true,
    });
    const { setCookie } = await sessions.start({ memberId: member.id });
    const id = /^__Host-gk_session=([^;]+);/.exec(setCookie)?.[1] ?? "";
    expect(id).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const rows = await db.selectFrom("sessions").selectAll().execute();
    expect(rows).toHaveLength(1);
    expect(rows[0]?.id_hash).toBe(hashSessionId(id));
    expect(JSON.stringify(rows)).not.toContain(id);
    const request = { headers: new Headers({ cookie: `__Host-gk_session=${id}` }) };
    expect(await sessions.memberIdOf(request)).toBe(member.id);
  });

  it("deleting a member deletes its sessions (on delete cascade) and no one else's", async () => {
    const { store, db } = await fresh();
    const gone = await store.members.create({ email: "gone@example.test" });
    const kept = await store.members.create({ email: "kept@example.test" });
    const sessions = store.oauth.sessions;
    for (const [idHash, memberId] of [
      ["a".repeat(43), gone.id],
      ["b".repeat(43), gone.id],
      ["c".repeat(43), kept.id],
    ] as const) {
      await sessions.create({ idHash, memberId, createdAt: T0, expiresAt: at(3600) });
    }
    await db.deleteFrom("members").where("id", "=", gone.id).execute();
    expect(await sessionMembers(db)).toEqual([kept.id]);
    expect(await sessions.read({ idHash: "a".repeat(43), now: at(1) })).toBeNull();
  });

  it.skipIf(dialect !== "sqlite")(
    "on SQLite, deleting a member deletes its sessions even on a connection without foreign_keys=ON",
    async () => {
      const { store, db } = await fresh();
      const gone = await store.members.create({ email: "gone@example.test" });
      await store.oauth.sessions.create({
        idHash: "a".repeat(43),
        memberId: gone.id,
        createdAt: T0,
        expiresAt: at(60),
      });
      await sql`pragma foreign_keys = off`.execute(db);
      try {
        await db.deleteFrom("members").where("id", "=", gone.id).execute();
      } finally {
        await sql`pragma foreign_keys = on`.execute(db);
      }
      expect(await sessionMembers(db)).toEqual([]);
    },
  );

  it("a session cannot belong to a member that does not exist", async () => {
    const { store, db } = await fresh();
    await expect(
      store.oauth.sessions.create({
        idHash: "a".repeat(43),
        memberId: "999999",
        createdAt: T0,
        expiresAt: at(60),
      }),
    ).rejects.toThrow();
    expect(await sessionMembers(db)).toEqual([]);
  });

  it("009-sessions upgrades a seed-system database: sessions of its members, revoked when a member is deleted", async () => {
    const { store, db } = await fresh({ migrate: false });
    await createSeedSystemDatabase(db, dialect, { configShape: "key-value" });
    await store.migrate();
    await addSession(db, dialect, "a".repeat(43), 1);
    await addSession(db, dialect, "b".repeat(43), 2);
    expect(await store.oauth.sessions.read({ idHash: "a".repeat(43), now: at(1) })).toMatchObject({
      memberId: "1",
    });
    await db.deleteFrom("members").where("id", "=", 1).execute();
    expect(await sessionMembers(db)).toEqual(["2"]);
    const seedRows = await db
      .selectFrom("members")
      .select(db.fn.countAll().as("n"))
      .executeTakeFirstOrThrow();
    expect(Number(seedRows.n)).toBeGreaterThan(1);
  });

  it("009-sessions refuses to adopt a host table named sessions, naming the missing columns, and leaves it alone", async () => {
    const { store, db } = await fresh({ migrate: false });
    const upTo009 = migrations.filter((m) => m.name < "009");
    await migrateToLatest(db, dialect, { migrations: upTo009 });
    await sql`create table sessions (sid text primary key, data text)`.execute(db);
    await sql`insert into sessions (sid, data) values ('host-session', '{}')`.execute(db);
    const error = await store.migrate().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MigrationError);
    expect(error).toMatchObject({ migration: "009-sessions" });
    expect((error as Error).message).toMatch(/sessions.*id_hash/);
    const left = await sql<{ sid: string }>`select sid from sessions`.execute(db);
    expect(left.rows).toEqual([{ sid: "host-session" }]);
  });
});
