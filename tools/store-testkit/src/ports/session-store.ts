import type { SessionStore, StoredSession } from "@guildkit/oauth-state";
import { expect, it } from "vitest";

/** One implementation of `SessionStore` under test, with a backdoor to read its rows. */
export interface SessionStoreSubject {
  sessions: SessionStore;
  /** A member sessions may belong to (the SQL stores need the row: `member_id` references `members`). */
  createMember(): Promise<string>;
  /**
   * The stored row of `idHash`, expired or not, read directly — a query on the table, a look into the
   * map — not through the port; `null` when there is none.
   */
  row(idHash: string): Promise<StoredSession | null>;
}

const T0 = new Date("2026-11-23T12:00:00.000Z");
const at = (seconds: number) => new Date(T0.getTime() + seconds * 1000);
/** Id hashes as `createSessions` makes them: base64url SHA-256, 43 characters. */
const hash = (n: number) => `${"h".repeat(40)}${String(n).padStart(3, "0")}`;

/**
 * The conformance cases of the `SessionStore` port of `@guildkit/oauth-state`, registered with vitest's
 * `it` in the current `describe`. Every implementation runs them — the SQL stores through the store
 * conformance suite (`sessions` feature), `createMemorySessionStore` from this package's own tests —
 * and each write is read back through `row`, not only through the port. `fresh` gives a new, empty
 * subject per test.
 */
export function defineSessionStoreCases(fresh: () => Promise<SessionStoreSubject>): void {
  it("create stores a session last seen at its creation; read returns it by its id hash", async () => {
    const { sessions, createMember, row } = await fresh();
    const memberId = await createMember();
    await sessions.create({ idHash: hash(1), memberId, createdAt: T0, expiresAt: at(3600) });
    const expected = { memberId, createdAt: T0, lastSeenAt: T0, expiresAt: at(3600) };
    expect(await row(hash(1))).toEqual(expected);
    expect(await sessions.read({ idHash: hash(1), now: at(1) })).toEqual(expected);
    expect(await sessions.read({ idHash: hash(2), now: at(1) })).toBeNull();
  });

  it("read returns null once the session expired (at its expiry exactly), the row staying until purged", async () => {
    const { sessions, createMember, row } = await fresh();
    const memberId = await createMember();
    await sessions.create({ idHash: hash(1), memberId, createdAt: T0, expiresAt: at(60) });
    expect(await sessions.read({ idHash: hash(1), now: new Date(at(60).getTime() - 1) })).not.toBeNull();
    expect(await sessions.read({ idHash: hash(1), now: at(60) })).toBeNull();
    expect(await sessions.read({ idHash: hash(1), now: at(61) })).toBeNull();
    expect(await row(hash(1))).not.toBeNull();
  });

  it("touch records the use (last seen, new expiry) on a live session and says so", async () => {
    const { sessions, createMember, row } = await fresh();
    const memberId = await createMember();
    await sessions.create({ idHash: hash(1), memberId, createdAt: T0, expiresAt: at(600) });
    expect(await sessions.touch({ idHash: hash(1), now: at(120), expiresAt: at(720) })).toBe(true);
    expect(await row(hash(1))).toEqual({ memberId, createdAt: T0, lastSeenAt: at(120), expiresAt: at(720) });
    expect(await sessions.read({ idHash: hash(1), now: at(700) })).toMatchObject({ expiresAt: at(720) });
  });

  it("touch never revives an expired, revoked or unknown session, and changes nothing then", async () => {
    const { sessions, createMember, row } = await fresh();
    const memberId = await createMember();
    await sessions.create({ idHash: hash(1), memberId, createdAt: T0, expiresAt: at(60) });
    await sessions.create({ idHash: hash(2), memberId, createdAt: T0, expiresAt: at(600) });
    expect(await sessions.touch({ idHash: hash(1), now: at(60), expiresAt: at(3600) })).toBe(false);
    expect(await row(hash(1))).toEqual({ memberId, createdAt: T0, lastSeenAt: T0, expiresAt: at(60) });
    await sessions.revoke({ idHash: hash(2) });
    expect(await sessions.touch({ idHash: hash(2), now: at(1), expiresAt: at(3600) })).toBe(false);
    expect(await row(hash(2))).toBeNull();
    expect(await sessions.touch({ idHash: hash(3), now: at(1), expiresAt: at(3600) })).toBe(false);
    expect(await row(hash(3))).toBeNull();
  });

  it("revoke deletes one session (true once, then false) and leaves the member's others", async () => {
    const { sessions, createMember, row } = await fresh();
    const memberId = await createMember();
    await sessions.create({ idHash: hash(1), memberId, createdAt: T0, expiresAt: at(600) });
    await sessions.create({ idHash: hash(2), memberId, createdAt: T0, expiresAt: at(600) });
    expect(await sessions.revoke({ idHash: hash(1) })).toBe(true);
    expect(await sessions.revoke({ idHash: hash(1) })).toBe(false);
    expect(await row(hash(1))).toBeNull();
    expect(await sessions.read({ idHash: hash(1), now: at(1) })).toBeNull();
    expect(await row(hash(2))).not.toBeNull();
  });

  it("revokeMember deletes every session of the member but the one excepted, and no one else's", async () => {
    const { sessions, createMember, row } = await fresh();
    const member = await createMember();
    const other = await createMember();
    for (const n of [1, 2, 3]) {
      await sessions.create({ idHash: hash(n), memberId: member, createdAt: T0, expiresAt: at(600) });
    }
    await sessions.create({ idHash: hash(4), memberId: other, createdAt: T0, expiresAt: at(600) });
    expect(await sessions.revokeMember({ memberId: member, exceptIdHash: hash(2) })).toBe(2);
    expect([await row(hash(1)), await row(hash(3))]).toEqual([null, null]);
    expect(await row(hash(2))).toMatchObject({ memberId: member });
    expect(await row(hash(4))).toMatchObject({ memberId: other });
    expect(await sessions.revokeMember({ memberId: member })).toBe(1);
    expect(await row(hash(2))).toBeNull();
    expect(await sessions.revokeMember({ memberId: member, exceptIdHash: null })).toBe(0);
    expect(await row(hash(4))).not.toBeNull();
  });

  it("purgeExpired deletes the sessions expired at now and keeps the live ones", async () => {
    const { sessions, createMember, row } = await fresh();
    const memberId = await createMember();
    await sessions.create({ idHash: hash(1), memberId, createdAt: T0, expiresAt: at(60) });
    await sessions.create({ idHash: hash(2), memberId, createdAt: T0, expiresAt: at(61) });
    await sessions.create({ idHash: hash(3), memberId, createdAt: T0, expiresAt: at(30) });
    expect(await sessions.purgeExpired({ now: at(60) })).toBe(2);
    expect([await row(hash(1)), await row(hash(3))]).toEqual([null, null]);
    expect(await row(hash(2))).not.toBeNull();
    expect(await sessions.purgeExpired({ now: at(60) })).toBe(0);
  });
}
