import { expect, it } from "vitest";
import { columnsOf, D1, D2, ROLE, type RoleSyncSubject, T0 } from "./role-sync-subject";

/**
 * The conformance cases of the `GrantLedger`, `LinkedMembers` and `MemberProfiles` ports of
 * `@guildkit/role-reconciler`, registered with vitest's `it` in the current `describe`. Run by every
 * implementation (see `defineSyncQueueCases`); writes are read back through the backdoor.
 */
export function defineRoleLedgerCases(fresh: () => Promise<RoleSyncSubject>): void {
  it("the grant ledger records, lists and forgets grants idempotently", async () => {
    const s = await fresh();
    const grant = { memberId: "7", discordUserId: D1, roleId: ROLE };
    await s.ledger.add({ grants: [grant, grant] });
    await s.ledger.add({ grants: [grant, { ...grant, discordUserId: D2 }] });
    expect(await s.grantKeys()).toEqual([`7|${D1}|${ROLE}`, `7|${D2}|${ROLE}`]);
    expect(await s.ledger.list({ memberIds: ["7", "8"] })).toHaveLength(2);
    expect(await s.ledger.list({ memberIds: [] })).toEqual([]);
    await s.ledger.remove({ grants: [grant, grant] });
    expect(await s.ledger.list({ memberIds: ["7"] })).toEqual([
      { ...grant, discordUserId: D2, origin: "granted", lapsedAt: null },
    ]);
    expect(await s.grantKeys()).toEqual([`7|${D2}|${ROLE}`]);
  });

  it("the ledger survives unlinking and deleting the member, so roles can be revoked", async () => {
    const s = await fresh();
    const m = await s.createMember({ discordUserId: D1, paymentStatus: "x" });
    await s.ledger.add({ grants: [{ memberId: m, discordUserId: D1, roleId: ROLE }] });
    await s.updateMember(m, { discordUserId: D2 });
    await s.deleteMember(m);
    expect(await s.ledger.list({ memberIds: [m] })).toEqual([
      { memberId: m, discordUserId: D1, roleId: ROLE, origin: "granted", lapsedAt: null },
    ]);
  });

  it("records a grant's origin; a role guildkit adds itself turns an adopted row into a granted one, never back", async () => {
    const s = await fresh();
    const adopted = { memberId: "7", discordUserId: D1, roleId: ROLE, origin: "adopted" as const };
    const other = { memberId: "8", discordUserId: D1, roleId: ROLE, origin: "granted" as const };
    await s.ledger.add({ grants: [adopted, other] });
    expect(await s.grantDetails()).toEqual([`7|${D1}|${ROLE}|adopted|null`, `8|${D1}|${ROLE}|granted|null`]);
    expect((await s.ledger.list({ memberIds: ["7"] })).map((g) => g.origin)).toEqual(["adopted"]);
    await s.ledger.add({ grants: [{ ...other, origin: "adopted" }] });
    await s.ledger.add({ grants: [{ memberId: "7", discordUserId: D1, roleId: ROLE }] });
    expect(await s.grantDetails()).toEqual([`7|${D1}|${ROLE}|granted|null`, `8|${D1}|${ROLE}|granted|null`]);
  });

  it("sets and clears the lapse of recorded grants only (the grace period's start), and adding keeps it", async () => {
    const s = await fresh();
    const a = { memberId: "7", discordUserId: D1, roleId: ROLE };
    const b = { memberId: "7", discordUserId: D2, roleId: ROLE };
    await s.ledger.add({ grants: [a, b] });
    const at = new Date("2026-12-02T10:00:00.123Z");
    await s.ledger.markLapsed({
      grants: [a, { memberId: "9", discordUserId: D1, roleId: ROLE }],
      lapsedAt: at,
    });
    expect(await s.grantDetails()).toEqual([
      `7|${D1}|${ROLE}|granted|${at.toISOString()}`,
      `7|${D2}|${ROLE}|granted|null`,
    ]);
    expect(await s.grantKeys()).toEqual([`7|${D1}|${ROLE}`, `7|${D2}|${ROLE}`]);
    const listed = await s.ledger.list({ memberIds: ["7"] });
    expect(listed.find((g) => g.discordUserId === D1)?.lapsedAt).toEqual(at);
    await s.ledger.add({ grants: [a] });
    expect((await s.ledger.list({ memberIds: ["7"] })).find((g) => g.discordUserId === D1)?.lapsedAt).toEqual(
      at,
    );
    await s.ledger.markLapsed({ grants: [a], lapsedAt: null });
    await s.ledger.markLapsed({ grants: [], lapsedAt: at });
    expect(await s.grantDetails()).toEqual([`7|${D1}|${ROLE}|granted|null`, `7|${D2}|${ROLE}|granted|null`]);
  });

  it("finds members by Discord id with the rule columns", async () => {
    const s = await fresh();
    const m = await s.createMember({ discordUserId: D1, paymentStatus: "gold" });
    await s.createMember({ discordUserId: null, paymentStatus: "gold" });
    expect(
      await s.linkedMembers.findByDiscordIds({ discordUserIds: [D1, D2], columns: columnsOf(s) }),
    ).toEqual([{ memberId: m, discordUserId: D1, attributes: { [columnsOf(s)[0]!]: "gold" } }]);
    expect(await s.linkedMembers.findByDiscordIds({ discordUserIds: [], columns: columnsOf(s) })).toEqual([]);
  });

  it("stores profiles with the avatar hash; a name-only save keeps the avatar; profile writes never mark the member due", async () => {
    const s = await fresh();
    const m = await s.createMember({ discordUserId: D1, paymentStatus: "gold" });
    await s.profiles.save({
      memberId: m,
      displayName: "Al",
      avatar: { hash: "a_1", bytes: new Uint8Array([1, 2, 3]) },
    });
    await s.profiles.save({ memberId: m, displayName: "Alice" });
    expect(await s.profile(m)).toEqual({ displayName: "Alice", avatarHash: "a_1", avatarBytes: [1, 2, 3] });
    for (const item of await s.queue.claimDue({
      owner: "w",
      leaseMs: 60_000,
      limit: 10,
      now: T0,
      columns: columnsOf(s),
    })) {
      await s.queue.complete(item, {
        state: "ok",
        checkedAt: T0,
        nextDueAt: null,
        attempts: 0,
        lastError: null,
        forget: false,
      });
    }
    await s.profiles.save({ memberId: m, displayName: "Bob" });
    expect(await s.queue.countDue({ now: T0 })).toBe(0);
    await s.profiles.save({ memberId: m, displayName: "Bob", avatar: { hash: null, bytes: null } });
    expect(await s.profile(m)).toEqual({ displayName: "Bob", avatarHash: null, avatarBytes: null });
  });
}
