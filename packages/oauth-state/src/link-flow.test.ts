import { describe, expect, it } from "vitest";
import { bindingValue } from "../test/bindings";
import { harness, identity, rejection } from "../test/fakes";
import {
  AccountLinkConflictError,
  AuthorizationDeniedError,
  IdentityProviderError,
  StateTokenError,
} from "./errors";

type Harness = ReturnType<typeof harness>;

const MEMBER = { memberId: "42", email: "member@example.com" };

async function linkRoundTrip(h: Harness, who = identity(), memberId = "42", returnPath = "/account") {
  const start = await h.flows.startLink({ memberId, returnPath });
  const params = h.discord.authorize(start.authorizeUrl, who);
  return { start, params, browserBinding: start.browserBinding };
}

describe("link flow", () => {
  it("links the Discord account to the signed-in member and marks it due for role sync", async () => {
    const h = harness({ members: [MEMBER] });
    const { start, params, browserBinding } = await linkRoundTrip(h);
    expect(new URL(start.authorizeUrl).searchParams.get("redirect_uri")).toBe(
      "https://app.test/discord/callback",
    );
    expect(start.expiresAt.getTime() - h.clock.now().getTime()).toBe(60_000);

    const linked = await h.flows.completeLink({ params, browserBinding, memberId: "42" });

    expect(linked).toEqual({
      status: "linked",
      memberId: "42",
      discordUserId: identity().id,
      returnPath: "/account",
      emailStored: true,
      replacedDiscordUserId: null,
    });
    expect(h.members.rows.get("42")).toMatchObject({
      discordUserId: identity().id,
      discordEmail: "nelly@example.com",
      discordAvatar: identity().avatar,
      dueForSyncAt: h.clock.now(),
    });
    expect(h.members.writes).toEqual(["link:42", "due:42"]);
    expect(h.events).toEqual([
      expect.objectContaining({
        kind: "oauth.callback",
        memberId: "42",
        discordUserId: identity().id,
        data: { flow: "link", outcome: "linked", emailStored: true },
      }),
    ]);
  });

  it("writes the link and its due mark in one transaction: a failing due mark leaves the member unlinked", async () => {
    const h = harness({ members: [MEMBER] });
    const { params, browserBinding } = await linkRoundTrip(h);
    h.members.syncDue.markDue = async () => {
      throw new Error("role sync queue down");
    };
    const error = await rejection(h.flows.completeLink({ params, browserBinding, memberId: "42" }));
    expect(error.message).toBe("role sync queue down");
    expect(h.members.rows.get("42")).toMatchObject({ discordUserId: null, dueForSyncAt: null });
    expect(h.members.writes).toEqual([]);
  });

  it("stores no email when Discord has not verified it", async () => {
    const h = harness({ members: [MEMBER] });
    const { params, browserBinding } = await linkRoundTrip(h, identity({ verified: false }));
    const linked = await h.flows.completeLink({ params, browserBinding, memberId: "42" });
    expect(linked).toMatchObject({ status: "linked", emailStored: false });
    expect(h.members.rows.get("42")).toMatchObject({ discordUserId: identity().id, discordEmail: null });
  });

  it("relinks an account already linked to the same member", async () => {
    const h = harness({ members: [{ ...MEMBER, discordUserId: identity().id }] });
    const { params, browserBinding } = await linkRoundTrip(h, identity({ avatar: "new-hash" }));
    await h.flows.completeLink({ params, browserBinding, memberId: "42" });
    expect(h.members.rows.get("42")?.discordAvatar).toBe("new-hash");
  });

  it("refuses, with a clear message, an account linked to another member, writing nothing", async () => {
    const h = harness({ members: [MEMBER, { memberId: "43", discordUserId: identity().id }] });
    const { params, browserBinding } = await linkRoundTrip(h);
    const error = await rejection(h.flows.completeLink({ params, browserBinding, memberId: "42" }));
    expect(error).toBeInstanceOf(AccountLinkConflictError);
    expect(error).toMatchObject({
      code: "account_link_conflict",
      reason: "discord_account_linked_to_other_member",
      flow: "link",
    });
    expect(error.message).toMatch(/already linked to another member/);
    expect(h.members.writes).toEqual([]);
    expect(h.members.rows.get("42")?.discordUserId).toBeNull();
    expect(h.events.at(-1)).toMatchObject({
      kind: "oauth.error",
      memberId: "42",
      discordUserId: identity().id,
    });
  });

  it("refuses the account when the store detects the conflict (a concurrent link won the race)", async () => {
    const h = harness({ members: [MEMBER] });
    const { params, browserBinding } = await linkRoundTrip(h);
    const find = h.members.port.findByDiscordUserId;
    h.members.port.findByDiscordUserId = async () => null;
    h.members.rows.set("44", { ...h.members.rows.get("42")!, memberId: "44", discordUserId: identity().id });
    await expect(h.flows.completeLink({ params, browserBinding, memberId: "42" })).rejects.toMatchObject({
      reason: "discord_account_linked_to_other_member",
    });
    h.members.port.findByDiscordUserId = find;
    expect(h.members.writes).toEqual([]);
  });

  it("refuses a link state started by another signed-in member", async () => {
    const h = harness({ members: [MEMBER, { memberId: "43" }] });
    const { params, browserBinding } = await linkRoundTrip(h, identity(), "43");
    const error = await rejection(h.flows.completeLink({ params, browserBinding, memberId: "42" }));
    expect(error).toMatchObject({ name: "StateTokenError", reason: "member_mismatch" });
    expect(h.discord.exchanges).toEqual([]);
    expect(h.members.writes).toEqual([]);
  });

  it("refuses a link state older than 1 minute", async () => {
    const h = harness({ members: [MEMBER] });
    const { params, browserBinding } = await linkRoundTrip(h);
    h.clock.advance(60_000);
    await expect(h.flows.completeLink({ params, browserBinding, memberId: "42" })).rejects.toMatchObject({
      reason: "expired",
    });
    expect(h.members.writes).toEqual([]);
  });

  it("refuses a tampered, replayed, wrong-kind or other-browser state, writing nothing each time", async () => {
    const h = harness({ members: [MEMBER] });

    const tampered = await linkRoundTrip(h);
    tampered.params.set("state", tampered.params.get("state")?.replace(/\.[^.]+$/, ".AAAA") ?? "");
    expect(await rejection(h.flows.completeLink({ ...tampered, memberId: "42" }))).toMatchObject({
      reason: "bad_signature",
    });

    const login = await h.flows.startLogin({});
    const wrongKind = h.discord.authorize(login.authorizeUrl, identity());
    expect(
      await rejection(
        h.flows.completeLink({ params: wrongKind, browserBinding: login.browserBinding, memberId: "42" }),
      ),
    ).toMatchObject({ reason: "wrong_kind" });

    const elsewhere = await linkRoundTrip(h);
    const error = await rejection(
      h.flows.completeLink({
        params: elsewhere.params,
        browserBinding: bindingValue(),
        memberId: "42",
      }),
    );
    expect(error).toBeInstanceOf(StateTokenError);
    expect(error).toMatchObject({ reason: "browser_mismatch" });

    expect(h.members.writes).toEqual([]);
    expect(h.discord.exchanges).toEqual([]);

    const ok = await linkRoundTrip(h);
    await h.flows.completeLink({ ...ok, memberId: "42" });
    h.members.writes.length = 0;
    expect(await rejection(h.flows.completeLink({ ...ok, memberId: "42" }))).toMatchObject({
      reason: "replayed",
    });
    expect(h.members.writes).toEqual([]);
  });

  it("reports error=access_denied and writes nothing", async () => {
    const h = harness({ members: [MEMBER] });
    const start = await h.flows.startLink({ memberId: "42" });
    const error = await rejection(
      h.flows.completeLink({
        params: h.discord.deny(start.authorizeUrl),
        browserBinding: start.browserBinding,
        memberId: "42",
      }),
    );
    expect(error).toBeInstanceOf(AuthorizationDeniedError);
    expect(error).toMatchObject({ flow: "link" });
    expect(h.members.writes).toEqual([]);
    expect(h.events.at(-1)).toMatchObject({ kind: "oauth.error", level: "info", memberId: "42" });
  });

  it.each([
    ["a 502", Object.assign(new Error("bad gateway"), { status: 502, retryable: true }), "unavailable"],
    ["a timeout", Object.assign(new Error("timeout"), { name: "TimeoutError" }), "timeout"],
  ])(
    "answers %s at the token exchange with a typed error and writes nothing",
    async (_label, failure, reason) => {
      const h = harness({ members: [MEMBER] });
      const { params, browserBinding } = await linkRoundTrip(h);
      h.discord.failWith(failure);
      const error = await rejection(h.flows.completeLink({ params, browserBinding, memberId: "42" }));
      expect(error).toBeInstanceOf(IdentityProviderError);
      expect(error).toMatchObject({ reason, retryable: true });
      expect(h.members.writes).toEqual([]);
    },
  );

  it("refuses a callback without a session and writes the refusal to the event log", async () => {
    const h = harness({ members: [MEMBER] });
    const { params, browserBinding } = await linkRoundTrip(h);
    const error = await rejection(h.flows.completeLink({ params, browserBinding, memberId: null }));
    expect(error).toMatchObject({ name: "SessionRequiredError", code: "session_required", flow: "link" });
    expect(h.discord.exchanges).toEqual([]);
    expect(h.members.writes).toEqual([]);
    expect(h.nonces.size()).toBe(0);
    expect(h.events).toEqual([
      expect.objectContaining({
        kind: "oauth.error",
        level: "warn",
        memberId: null,
        data: { flow: "link", code: "session_required", count: 1 },
      }),
    ]);
  });

  it("reports a member deleted during the flow", async () => {
    const h = harness({ members: [MEMBER] });
    const { params, browserBinding } = await linkRoundTrip(h);
    h.members.rows.delete("42");
    await expect(h.flows.completeLink({ params, browserBinding, memberId: "42" })).rejects.toMatchObject({
      name: "MemberNotFoundError",
      memberId: "42",
    });
  });

  it("returns to / when the return path is an open-redirect attempt", async () => {
    const h = harness({ members: [MEMBER] });
    const { params, browserBinding } = await linkRoundTrip(h, identity(), "42", "//evil.test");
    expect(await h.flows.completeLink({ params, browserBinding, memberId: "42" })).toMatchObject({
      returnPath: "/",
    });
  });
});
