import { describe, expect, it } from "vitest";
import { bindingValue } from "../test/bindings";
import { harness, identity, rejection } from "../test/fakes";
import { AccountLinkConflictError, SessionRequiredError, StateTokenError } from "./errors";
import type { LinkOutcome } from "./link-flow";

type Harness = ReturnType<typeof harness>;

const OLD = "111111111111111111";
const NEW = identity().id;
const MEMBER = {
  memberId: "42",
  email: "member@example.com",
  discordUserId: OLD,
  discordUsername: "oldname",
};

/** A link of `who` by member 42 (linked to {@link OLD}), up to the replacement confirmation. */
async function offered(h: Harness, who = identity()) {
  const start = await h.flows.startLink({ memberId: "42", returnPath: "/account" });
  const params = h.discord.authorize(start.authorizeUrl, who);
  const outcome = await h.flows.completeLink({
    params,
    browserBinding: start.browserBinding,
    memberId: "42",
  });
  if (outcome.status !== "replace_pending")
    throw new Error(`expected replace_pending, got ${outcome.status}`);
  return { outcome, browserBinding: start.browserBinding, token: outcome.confirmation.replaceToken };
}

/** Confirm `offer` as `memberId` (default the member it was offered to). */
function confirm(h: Harness, offer: { token: string; browserBinding: string }, memberId = "42") {
  return h.flows.confirmReplace({
    replaceToken: offer.token,
    browserBinding: offer.browserBinding,
    memberId,
  });
}

describe("replacing a linked Discord account", () => {
  it("asks first: a link to another account answers replace_pending naming both accounts, and writes nothing", async () => {
    const h = harness({ members: [MEMBER] });
    const { outcome } = await offered(h);
    expect(outcome).toMatchObject<Partial<LinkOutcome>>({ status: "replace_pending", memberId: "42" });
    expect(outcome.confirmation).toMatchObject({
      memberId: "42",
      previous: { discordUserId: OLD, username: "oldname" },
      next: { discordUserId: NEW, username: "nelly", globalName: "Nelly" },
      returnPath: "/account",
    });
    expect(outcome.confirmation.expiresAt.getTime() - h.clock.now().getTime()).toBe(300_000);
    expect(h.members.writes).toEqual([]);
    expect(h.members.rows.get("42")?.discordUserId).toBe(OLD);
    expect(h.events.at(-1)).toMatchObject({
      kind: "oauth.callback",
      memberId: "42",
      discordUserId: NEW,
      data: { flow: "link", outcome: "replace_pending", previousDiscordUserId: OLD },
    });
  });

  it("replaces the account once confirmed, marks the member due, and records the replacement", async () => {
    const h = harness({ members: [MEMBER] });
    const { token, browserBinding } = await offered(h);
    const done = await h.flows.confirmReplace({ replaceToken: token, browserBinding, memberId: "42" });
    expect(done).toEqual({
      memberId: "42",
      discordUserId: NEW,
      returnPath: "/account",
      emailStored: true,
      replacedDiscordUserId: OLD,
    });
    expect(h.members.rows.get("42")).toMatchObject({ discordUserId: NEW, dueForSyncAt: h.clock.now() });
    expect(h.members.writes).toEqual(["link:42", "due:42"]);
    expect(h.events.at(-1)).toMatchObject({
      kind: "oauth.callback",
      level: "info",
      message: "Discord account replaced",
      memberId: "42",
      discordUserId: NEW,
      data: { flow: "replace", outcome: "replaced", previousDiscordUserId: OLD },
    });
  });

  it("refuses a confirmation used twice, from another member, another browser or after 5 minutes", async () => {
    const h = harness({ members: [MEMBER, { memberId: "43" }] });
    const first = await offered(h);
    await confirm(h, first);
    expect(await rejection(confirm(h, first))).toMatchObject({
      name: "StateTokenError",
      reason: "replayed",
      flow: "replace",
    });

    const h2 = harness({ members: [MEMBER, { memberId: "43" }] });
    const second = await offered(h2);
    const tries: Array<[Parameters<typeof h2.flows.confirmReplace>[0], string]> = [
      [
        { replaceToken: second.token, browserBinding: second.browserBinding, memberId: "43" },
        "member_mismatch",
      ],
      [{ replaceToken: second.token, browserBinding: bindingValue(), memberId: "42" }, "browser_mismatch"],
      [{ replaceToken: null, browserBinding: second.browserBinding, memberId: "42" }, "missing"],
    ];
    for (const [input, reason] of tries) {
      const error = await rejection(h2.flows.confirmReplace(input));
      expect(error).toBeInstanceOf(StateTokenError);
      expect(error).toMatchObject({ reason });
    }
    h2.clock.advance(300_000);
    expect(await rejection(confirm(h2, second))).toMatchObject({ reason: "expired" });
    expect(h2.members.writes).toEqual([]);
    expect(h2.members.rows.get("42")?.discordUserId).toBe(OLD);
  });

  it("refuses without a session, and a link state token as a confirmation", async () => {
    const h = harness({ members: [MEMBER] });
    const { token, browserBinding } = await offered(h);
    expect(
      await rejection(h.flows.confirmReplace({ replaceToken: token, browserBinding, memberId: null })),
    ).toBeInstanceOf(SessionRequiredError);
    const start = await h.flows.startLink({ memberId: "42" });
    const linkState = new URL(start.authorizeUrl).searchParams.get("state");
    expect(
      await rejection(
        h.flows.confirmReplace({
          replaceToken: linkState,
          browserBinding: start.browserBinding,
          memberId: "42",
        }),
      ),
    ).toMatchObject({ reason: "wrong_kind" });
    expect(h.members.writes).toEqual([]);
  });

  it("refuses when the member's link changed since the confirmation was offered, or the new account was taken", async () => {
    const changed = harness({ members: [MEMBER] });
    const a = await offered(changed);
    const member = changed.members.rows.get("42");
    if (member) member.discordUserId = "222222222222222222";
    const error = await rejection(confirm(changed, a));
    expect(error).toBeInstanceOf(AccountLinkConflictError);
    expect(error).toMatchObject({ reason: "member_link_changed" });
    expect(changed.members.rows.get("42")?.discordUserId).toBe("222222222222222222");

    const taken = harness({ members: [MEMBER, { memberId: "43" }] });
    const b = await offered(taken);
    const other = taken.members.rows.get("43");
    if (other) other.discordUserId = NEW;
    expect(await rejection(confirm(taken, b))).toMatchObject({
      reason: "discord_account_linked_to_other_member",
    });
    expect(taken.members.writes).toEqual([]);
  });

  it("links directly, without asking, when the member has no account or the same one", async () => {
    for (const discordUserId of [null, NEW]) {
      const h = harness({ members: [{ ...MEMBER, discordUserId }] });
      const start = await h.flows.startLink({ memberId: "42" });
      const params = h.discord.authorize(start.authorizeUrl, identity());
      const outcome = await h.flows.completeLink({
        params,
        browserBinding: start.browserBinding,
        memberId: "42",
      });
      expect(outcome).toMatchObject({ status: "linked", replacedDiscordUserId: null });
    }
  });
});
