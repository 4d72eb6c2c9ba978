import type { MemberTokenStore } from "@guildkit/oauth-state";
import { expect, it } from "vitest";

/** A kept grant's row as the backdoor reads it (no tokens: a SQL store holds them sealed). */
export interface MemberTokenRow {
  discordUserId: string;
  scopes: readonly string[];
  expiresAt: Date;
  consentNeededAt: Date | null;
  version: number;
}

/** One implementation of `MemberTokenStore` under test, with backdoors on its members and rows. */
export interface MemberTokenStoreSubject {
  tokens: MemberTokenStore;
  /** A member linked to `discordUserId`. */
  createMember(discordUserId: string): Promise<string>;
  /** Set (or clear, `null`) the member's linked Discord account, as an unlink or a relink does. */
  relinkMember(memberId: string, discordUserId: string | null): Promise<void>;
  /** Delete the member's row, as the host does. */
  deleteMember(memberId: string): Promise<void>;
  /** The stored row of `memberId`, read directly (a query on the table, a look into the map); `null` when none. */
  row(memberId: string): Promise<MemberTokenRow | null>;
}

const T0 = new Date("2026-12-01T12:00:00.000Z");
const at = (seconds: number) => new Date(T0.getTime() + seconds * 1000);
const WEEK = 604_800;
let users = 0;
const nextUser = () => `81${String(++users).padStart(16, "0")}`;
const grant = (n: number, extra: Partial<{ refreshToken: string | null; expiresAt: Date }> = {}) => ({
  accessToken: `access-${n}-${"a".repeat(24)}`,
  refreshToken: extra.refreshToken === undefined ? `refresh-${n}-${"r".repeat(24)}` : extra.refreshToken,
  scopes: ["identify", "email", "guilds.join"],
  expiresAt: extra.expiresAt ?? at(WEEK),
  now: T0,
});

/**
 * The conformance cases of the `MemberTokenStore` port of `@guildkit/oauth-state`, registered with
 * vitest's `it` in the current `describe`. The SQL stores run them through the store conformance
 * suite (`member-tokens` feature), `createMemoryMemberTokenStore` from this package's tests; every
 * write is read back through `row` too.
 */
export function defineMemberTokenStoreCases(fresh: () => Promise<MemberTokenStoreSubject>): void {
  it("save keeps a grant read back with its tokens, scopes and expiry; status shows all but the tokens", async () => {
    const { tokens, createMember, row } = await fresh();
    const discordUserId = nextUser();
    const memberId = await createMember(discordUserId);
    await tokens.save({ memberId, discordUserId, ...grant(1) });
    const read = await tokens.read({ memberId });
    expect(read).toMatchObject({
      memberId,
      discordUserId,
      accessToken: grant(1).accessToken,
      refreshToken: grant(1).refreshToken,
      scopes: ["identify", "email", "guilds.join"],
      expiresAt: at(WEEK),
      consentNeededAt: null,
      updatedAt: T0,
    });
    const status = await tokens.status({ memberId });
    expect(status).toEqual({ ...read, accessToken: undefined, refreshToken: undefined });
    expect(Object.keys(status ?? {})).not.toContain("accessToken");
    expect(await row(memberId)).toEqual({
      discordUserId,
      scopes: ["identify", "email", "guilds.join"],
      expiresAt: at(WEEK),
      consentNeededAt: null,
      version: read?.version,
    });
  });

  it("read and status of a member without a grant (or with an id no member has) are null", async () => {
    const { tokens, createMember } = await fresh();
    const memberId = await createMember(nextUser());
    expect(await tokens.read({ memberId })).toBeNull();
    expect(await tokens.status({ memberId })).toBeNull();
    expect(await tokens.read({ memberId: "not-a-member" })).toBeNull();
    expect(await tokens.delete({ memberId: "not-a-member" })).toBe(false);
  });

  it("save again replaces the grant, bumps the version and clears a re-consent mark", async () => {
    const { tokens, createMember, row } = await fresh();
    const discordUserId = nextUser();
    const memberId = await createMember(discordUserId);
    await tokens.save({ memberId, discordUserId, ...grant(1) });
    const first = await tokens.read({ memberId });
    expect(await tokens.markConsentNeeded({ memberId, version: first!.version, now: at(10) })).toBe(true);
    await tokens.save({ memberId, discordUserId, ...grant(2), now: at(20) });
    const second = await tokens.read({ memberId });
    expect(second).toMatchObject({
      accessToken: grant(2).accessToken,
      consentNeededAt: null,
      updatedAt: at(20),
    });
    expect(second!.version).toBeGreaterThan(first!.version);
    expect((await row(memberId))?.consentNeededAt).toBeNull();
  });

  it("replace writes refreshed tokens only at the version read; a stale version changes nothing", async () => {
    const { tokens, createMember, row } = await fresh();
    const discordUserId = nextUser();
    const memberId = await createMember(discordUserId);
    await tokens.save({ memberId, discordUserId, ...grant(1) });
    const { version } = (await tokens.read({ memberId }))!;
    const refreshed = { ...grant(2, { expiresAt: at(2 * WEEK) }), scopes: ["identify"], now: at(60) };
    expect(await tokens.replace({ memberId, version, ...refreshed })).toBe(true);
    const after = await tokens.read({ memberId });
    expect(after).toMatchObject({
      accessToken: grant(2).accessToken,
      refreshToken: grant(2).refreshToken,
      scopes: ["identify"],
      expiresAt: at(2 * WEEK),
      updatedAt: at(60),
    });
    expect(after!.version).toBeGreaterThan(version);
    expect(await tokens.replace({ memberId, version, ...grant(3) })).toBe(false);
    expect((await tokens.read({ memberId }))?.accessToken).toBe(grant(2).accessToken);
    expect((await row(memberId))?.version).toBe(after!.version);
    expect(await tokens.replace({ memberId: await createMember(nextUser()), version: 1, ...grant(4) })).toBe(
      false,
    );
  });

  it("markConsentNeeded marks the grant at its version (not a stale one) and takes it out of the refresh list", async () => {
    const { tokens, createMember, row } = await fresh();
    const discordUserId = nextUser();
    const memberId = await createMember(discordUserId);
    await tokens.save({ memberId, discordUserId, ...grant(1, { expiresAt: at(60) }) });
    const { version } = (await tokens.read({ memberId }))!;
    expect(await tokens.listExpiring({ before: at(3600), limit: 10 })).toHaveLength(1);
    expect(await tokens.markConsentNeeded({ memberId, version: version + 1, now: at(5) })).toBe(false);
    expect((await row(memberId))?.consentNeededAt).toBeNull();
    expect(await tokens.markConsentNeeded({ memberId, version, now: at(5) })).toBe(true);
    expect((await row(memberId))?.consentNeededAt).toEqual(at(5));
    expect((await tokens.status({ memberId }))?.consentNeededAt).toEqual(at(5));
    expect(await tokens.listExpiring({ before: at(3600), limit: 10 })).toEqual([]);
  });

  it("delete removes the grant (only at the version given, when given) and says whether it did", async () => {
    const { tokens, createMember, row } = await fresh();
    const discordUserId = nextUser();
    const memberId = await createMember(discordUserId);
    await tokens.save({ memberId, discordUserId, ...grant(1) });
    const { version } = (await tokens.read({ memberId }))!;
    expect(await tokens.delete({ memberId, version: version + 1 })).toBe(false);
    expect(await row(memberId)).not.toBeNull();
    expect(await tokens.delete({ memberId, version })).toBe(true);
    expect(await row(memberId)).toBeNull();
    expect(await tokens.read({ memberId })).toBeNull();
    expect(await tokens.delete({ memberId })).toBe(false);
  });

  it("listExpiring lists grants expiring before the bound, soonest first, up to the limit, with a refresh token", async () => {
    const { tokens, createMember } = await fresh();
    const ids: string[] = [];
    for (const [n, seconds, refresh] of [
      [1, 300, true],
      [2, 100, true],
      [3, 200, false],
      [4, 3600, true],
      [5, 200, true],
    ] as const) {
      const discordUserId = nextUser();
      const memberId = await createMember(discordUserId);
      ids[n] = memberId;
      const extra = { expiresAt: at(seconds), ...(refresh ? {} : { refreshToken: null }) };
      await tokens.save({ memberId, discordUserId, ...grant(n, extra) });
    }
    const due = await tokens.listExpiring({ before: at(3600), limit: 10 });
    expect(due.map((d) => d.memberId)).toEqual([ids[2], ids[5], ids[1]]);
    expect(due[0]).toMatchObject({ expiresAt: at(100) });
    expect((await tokens.listExpiring({ before: at(3600), limit: 2 })).map((d) => d.memberId)).toEqual([
      ids[2],
      ids[5],
    ]);
    expect(await tokens.listExpiring({ before: at(100), limit: 10 })).toEqual([]);
  });

  it("listOrphans lists grants whose member was deleted, unlinked or linked to another account, never a linked one", async () => {
    const { tokens, createMember, relinkMember, deleteMember } = await fresh();
    const make = async () => {
      const discordUserId = nextUser();
      const memberId = await createMember(discordUserId);
      await tokens.save({ memberId, discordUserId, ...grant(1) });
      return { memberId, discordUserId };
    };
    const linked = await make();
    const deleted = await make();
    const unlinked = await make();
    const relinked = await make();
    expect(await tokens.listOrphans({ limit: 10 })).toEqual([]);
    await deleteMember(deleted.memberId);
    await relinkMember(unlinked.memberId, null);
    await relinkMember(relinked.memberId, nextUser());
    const orphans = await tokens.listOrphans({ limit: 10 });
    expect(orphans.map((o) => o.memberId).sort()).toEqual(
      [deleted.memberId, unlinked.memberId, relinked.memberId].sort(),
    );
    expect(orphans.find((o) => o.memberId === deleted.memberId)).toMatchObject({
      discordUserId: deleted.discordUserId,
    });
    expect(orphans.map((o) => o.memberId)).not.toContain(linked.memberId);
    expect(await tokens.listOrphans({ limit: 1 })).toHaveLength(1);
  });
}
