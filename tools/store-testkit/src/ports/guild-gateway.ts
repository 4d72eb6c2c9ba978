import { isRetryableError } from "@guildkit/core";
import type { GuildGateway } from "@guildkit/role-reconciler";
import { expect, it } from "vitest";

/** What the `GuildGateway` cases need of one implementation: the port, and a way to seed and read the guild. */
export interface GuildGatewaySubject {
  gateway: GuildGateway;
  guildId: string;
  /** A role below the bot's highest role: the bot may grant and revoke it. */
  roleId: string;
  /** A role above the bot's highest role: Discord refuses to grant or revoke it (403 50013). */
  roleAboveBot: string;
  /** Adds a member holding `roles`; returns its user id (ids increase with each call). */
  addMember(roles?: string[]): Promise<string>;
  /** The member's roles as the guild holds them (read past the port), or null when not a member. */
  rolesOf(userId: string): Promise<string[] | null>;
  /** A user who is not in the guild. */
  absentUserId: string;
}

const change = (s: GuildGatewaySubject, userId: string, roleId = s.roleId) => ({
  guildId: s.guildId,
  userId,
  roleId,
  reason: "guildkit conformance",
});

async function failure(call: Promise<unknown>): Promise<unknown> {
  return call.then(
    () => {
      throw new Error("expected the call to fail");
    },
    (error: unknown) => error,
  );
}

/**
 * The conformance cases of role-reconciler's `GuildGateway` port, registered with vitest's `it` in the
 * current `describe`: `createRoleGateway` of `@guildkit/discord-rest` runs them against discord-sim
 * over HTTP, and the reconciler's test fake (`packages/role-reconciler/test/fakes.ts`) runs them too,
 * so the fake cannot drift from what Discord answers. `fresh` gives a new guild per test.
 */
export function defineGuildGatewayCases(fresh: () => Promise<GuildGatewaySubject>): void {
  it("getMember returns the member's roles; a user not in the guild is null", async () => {
    const s = await fresh();
    const userId = await s.addMember([s.roleId]);
    const member = await s.gateway.getMember({ guildId: s.guildId, userId });
    expect(member?.user?.id).toBe(userId);
    expect(member?.roles).toEqual([s.roleId]);
    expect(await s.gateway.getMember({ guildId: s.guildId, userId: s.absentUserId })).toBeNull();
  });

  it("listMembers pages by user id after the cursor, at most limit per page, and ends with an empty page", async () => {
    const s = await fresh();
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push(await s.addMember());
    const seen: string[] = [];
    let after: string | null = null;
    for (let pages = 0; pages < 10; pages++) {
      const page = await s.gateway.listMembers({ guildId: s.guildId, after, limit: 2 });
      expect(page.length).toBeLessThanOrEqual(2);
      if (page.length === 0) break;
      for (const m of page) seen.push(m.user!.id);
      after = page.at(-1)!.user!.id;
    }
    const sorted = [...seen].sort((a, b) => (BigInt(a) < BigInt(b) ? -1 : 1));
    expect(seen).toEqual(sorted);
    for (const id of ids) expect(seen).toContain(id);
  });

  it("addRole grants and removeRole revokes, each idempotent", async () => {
    const s = await fresh();
    const userId = await s.addMember();
    await s.gateway.addRole(change(s, userId));
    await s.gateway.addRole(change(s, userId));
    expect(await s.rolesOf(userId)).toEqual([s.roleId]);
    await s.gateway.removeRole(change(s, userId));
    await s.gateway.removeRole(change(s, userId));
    expect(await s.rolesOf(userId)).toEqual([]);
  });

  it("a role change for a user not in the guild fails for good: 404, 10007 Unknown Member", async () => {
    const s = await fresh();
    const error = await failure(s.gateway.addRole(change(s, s.absentUserId)));
    expect(isRetryableError(error)).toBe(true);
    expect(error).toMatchObject({ status: 404, code: 10007, retryable: false });
  });

  it("a role above the bot's fails for good: 403, 50013 Missing Permissions; nothing changes", async () => {
    const s = await fresh();
    const userId = await s.addMember();
    const error = await failure(s.gateway.addRole(change(s, userId, s.roleAboveBot)));
    expect(isRetryableError(error)).toBe(true);
    expect(error).toMatchObject({ status: 403, code: 50013, retryable: false });
    expect(await s.rolesOf(userId)).toEqual([]);
  });

  it("removeMember kicks the member; a second kick (or a user not in the guild) fails for good: 404, 10007", async () => {
    const s = await fresh();
    const userId = await s.addMember([s.roleId]);
    await s.gateway.removeMember({ guildId: s.guildId, userId, reason: "guildkit conformance: lapsed" });
    expect(await s.rolesOf(userId)).toBeNull();
    expect(await s.gateway.getMember({ guildId: s.guildId, userId })).toBeNull();
    const again = await failure(s.gateway.removeMember({ guildId: s.guildId, userId, reason: "again" }));
    expect(isRetryableError(again)).toBe(true);
    expect(again).toMatchObject({ status: 404, code: 10007, retryable: false });
  });
}
