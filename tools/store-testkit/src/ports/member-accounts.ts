import type { DiscordProfile, MemberAccounts } from "@guildkit/oauth-state";
import { expect, it } from "vitest";

/** A member row as the conformance cases read it back. */
export interface MemberAccountRow {
  email: string | null;
  discordUserId: string | null;
  discordEmail: string | null;
  discordUsername: string | null;
}

/** One implementation of `MemberAccounts` under test, with a backdoor onto its member rows. */
export interface MemberAccountsSubject {
  accounts: MemberAccounts;
  /** Adds a member directly (not through the port); resolves its id. Ids grow in creation order. */
  createMember(input: {
    email: string;
    discordUserId?: string | null;
    discordEmail?: string | null;
    discordUsername?: string | null;
  }): Promise<string>;
  /** The member row of `memberId`, read directly; `null` when there is none. */
  row(memberId: string): Promise<MemberAccountRow | null>;
  /** How many members there are, counted directly. */
  count(): Promise<number>;
}

const T0 = new Date("2026-11-23T12:00:00.000Z");

const PROFILE: DiscordProfile = {
  discordUserId: "80351110224678912",
  email: "nelly@example.com",
  username: "nelly",
  globalName: "Nelly",
  avatar: "8342729096ea3675442027381ff50dfe",
};

/**
 * The conformance cases of the `MemberAccounts` port of `@guildkit/oauth-state`, registered with
 * vitest's `it` in the current `describe`: the SQL stores run them through the `oauth` feature, the
 * flows' in-memory member accounts from `tools/store-testkit/test`. Writes are read back through
 * `row`. `fresh` gives a new subject with no members per test.
 */
export function defineMemberAccountsCases(fresh: () => Promise<MemberAccountsSubject>): void {
  it("finds members by Discord id and by email case-insensitively, lowest id first", async () => {
    const { accounts, createMember } = await fresh();
    const a = await createMember({ email: "Nelly@Example.com" });
    await createMember({ email: "nelly@example.com" });
    const linked = await createMember({ email: "other@example.com", discordUserId: "111" });
    expect(await accounts.findByVerifiedEmail({ email: "nelly@example.com" })).toEqual({
      memberId: a,
      discordUserId: null,
    });
    expect(await accounts.findByDiscordUserId({ discordUserId: "111" })).toEqual({
      memberId: linked,
      discordUserId: "111",
    });
    expect(await accounts.findByDiscordUserId({ discordUserId: "222" })).toBeNull();
    expect(await accounts.findByVerifiedEmail({ email: "nobody@example.com" })).toBeNull();
  });

  it("matches by email lower-casing ASCII letters only: a verified \u212Aelly@example.test (Kelvin sign) never finds kelly@example.test", async () => {
    const { accounts, createMember } = await fresh();
    // The look-alike first: lowest id, so a Unicode-folding comparison would pick it.
    const lookAlike = await createMember({ email: "\u212Aelly@Example.test" });
    const kelly = await createMember({ email: "Kelly@example.test" });
    expect(await accounts.findByVerifiedEmail({ email: "kelly@example.test" })).toEqual({
      memberId: kelly,
      discordUserId: null,
    });
    expect(await accounts.findByVerifiedEmail({ email: "\u212Aelly@example.test" })).toEqual({
      memberId: lookAlike,
      discordUserId: null,
    });
    const other = await fresh();
    await other.createMember({ email: "kelly@example.test" });
    expect(await other.accounts.findByVerifiedEmail({ email: "\u212Aelly@example.test" })).toBeNull();
    expect(await other.accounts.findByVerifiedEmail({ email: "\u212Aelly@Example.test" })).toBeNull();
  });

  it("linkDiscord stores the Discord id, email and name on the member row", async () => {
    const { accounts, createMember, row } = await fresh();
    const member = await createMember({ email: "m@example.com" });
    expect(await accounts.linkDiscord({ memberId: member, profile: PROFILE, now: T0 })).toEqual({
      linked: true,
    });
    expect(await row(member)).toEqual({
      discordUserId: PROFILE.discordUserId,
      discordEmail: "nelly@example.com",
      discordUsername: "Nelly",
      email: "m@example.com",
    });
  });

  it("linkDiscord with no verified email clears the stored Discord email", async () => {
    const { accounts, createMember, row } = await fresh();
    const member = await createMember({ email: "m@example.com", discordEmail: "old@example.com" });
    await accounts.linkDiscord({ memberId: member, profile: { ...PROFILE, email: null }, now: T0 });
    expect((await row(member))?.discordEmail).toBeNull();
  });

  it("linkDiscord refuses a Discord account linked to another member and changes nothing", async () => {
    const { accounts, createMember, row } = await fresh();
    const holder = await createMember({ email: "h@example.com", discordUserId: PROFILE.discordUserId });
    const member = await createMember({ email: "m@example.com" });
    expect(await accounts.linkDiscord({ memberId: member, profile: PROFILE, now: T0 })).toEqual({
      linked: false,
      reason: "discord_account_taken",
    });
    expect((await row(holder))?.discordUserId).toBe(PROFILE.discordUserId);
    expect(await row(member)).toMatchObject({ discordUserId: null, discordEmail: null });
  });

  it("linkDiscord reports a member that does not exist", async () => {
    const { accounts } = await fresh();
    for (const memberId of ["999999", "not-a-number"]) {
      expect(await accounts.linkDiscord({ memberId, profile: PROFILE, now: T0 })).toEqual({
        linked: false,
        reason: "member_not_found",
      });
    }
  });

  it("create inserts a linked member, and refuses a Discord account another member holds", async () => {
    const { accounts, row, count } = await fresh();
    const created = await accounts.create({ profile: { ...PROFILE, email: "nelly@example.com" }, now: T0 });
    expect(created.created).toBe(true);
    const memberId = created.created ? created.memberId : "";
    expect(await row(memberId)).toMatchObject({
      email: "nelly@example.com",
      discordUserId: PROFILE.discordUserId,
      discordEmail: "nelly@example.com",
    });
    expect(await accounts.create({ profile: { ...PROFILE, email: "x@example.com" }, now: T0 })).toEqual({
      created: false,
      reason: "discord_account_taken",
    });
    expect(await count()).toBe(1);
  });

  it("findByMemberId returns the member with its linked account and name, null for an unknown id", async () => {
    const { accounts, createMember } = await fresh();
    const linked = await createMember({
      email: "l@example.com",
      discordUserId: "111",
      discordUsername: "Old Name",
    });
    const unlinked = await createMember({ email: "u@example.com" });
    expect(await accounts.findByMemberId({ memberId: linked })).toEqual({
      memberId: linked,
      discordUserId: "111",
      discordUsername: "Old Name",
    });
    expect(await accounts.findByMemberId({ memberId: unlinked })).toEqual({
      memberId: unlinked,
      discordUserId: null,
      discordUsername: null,
    });
    for (const memberId of ["999999", "not-a-number"]) {
      expect(await accounts.findByMemberId({ memberId })).toBeNull();
    }
  });
}
