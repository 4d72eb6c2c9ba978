import { describe, expect, it, vi } from "vitest";
import { bindingValue } from "../test/bindings";
import { harness, identity, rejection } from "../test/fakes";
import { BROWSER_BINDING_MAX_AGE_SECONDS } from "./browser-binding";
import {
  AccountLinkConflictError,
  AuthorizationDeniedError,
  IdentityProviderError,
  MissingCodeError,
  OAuthNotConfiguredError,
  StateTokenError,
  UnverifiedEmailError,
} from "./errors";

type Harness = ReturnType<typeof harness>;

/** Start a login in one browser and consent on Discord's page as `who`. */
async function loginRoundTrip(h: Harness, who = identity(), postLoginPath = "/dashboard?x=1") {
  const start = await h.flows.startLogin({ postLoginPath });
  const params = h.discord.authorize(start.authorizeUrl, who);
  return { start, params, browserBinding: start.browserBinding };
}

function expectNothingWritten(h: Harness) {
  expect(h.members.writes).toEqual([]);
  expect(h.completions).toEqual([]);
  expect(h.confirmations).toEqual([]);
}

function lastError(h: Harness) {
  const entry = h.events.at(-1);
  expect(entry?.kind).toBe("oauth.error");
  return entry;
}

describe("login flow", () => {
  it("signs in the member linked to the Discord id and lands on the requested path", async () => {
    const h = harness({
      members: [{ memberId: "7", email: "old@example.com", discordUserId: identity().id }],
    });
    const { params, browserBinding } = await loginRoundTrip(h);

    const outcome = await h.flows.completeLogin({ params, browserBinding });

    expect(outcome).toEqual({
      status: "signed_in",
      memberId: "7",
      discordUserId: identity().id,
      created: false,
      postLoginPath: "/dashboard?x=1",
      result: "session:7->/dashboard?x=1",
    });
    const row = h.members.rows.get("7");
    expect(row?.discordEmail).toBe("nelly@example.com");
    expect(row?.discordAvatar).toBe(identity().avatar);
    expect(row?.dueForSyncAt).toEqual(h.clock.now());
    expect(h.events).toEqual([
      expect.objectContaining({
        kind: "oauth.callback",
        level: "info",
        memberId: "7",
        discordUserId: identity().id,
        data: { flow: "login", outcome: "signed_in", matchedBy: "discord_user_id" },
      }),
    ]);
  });

  it("sends the PKCE verifier whose S256 challenge went to the authorization page", async () => {
    const h = harness({ members: [{ memberId: "7", discordUserId: identity().id }] });
    const { start, params, browserBinding } = await loginRoundTrip(h);
    const challenge = new URL(start.authorizeUrl).searchParams.get("code_challenge");
    expect(challenge).toMatch(/^[A-Za-z0-9_-]{43}$/);
    await h.flows.completeLogin({ params, browserBinding });
    expect(h.discord.exchanges).toHaveLength(1);
    expect(h.discord.exchanges[0]?.redirectUri).toBe("https://app.test/login/discord/callback");
    expect(h.discord.exchanges[0]?.codeVerifier).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it("finds a member by verified email (compared lower-cased) and links the Discord account to it", async () => {
    const h = harness({ members: [{ memberId: "9", email: "nelly@example.com" }] });
    const { params, browserBinding } = await loginRoundTrip(h, identity({ email: "NELLY@Example.com" }));

    const outcome = await h.flows.completeLogin({ params, browserBinding });

    expect(outcome).toMatchObject({ status: "signed_in", memberId: "9", created: false });
    expect(h.members.rows.get("9")).toMatchObject({
      discordUserId: identity().id,
      discordEmail: "nelly@example.com",
      dueForSyncAt: h.clock.now(),
    });
    expect(h.events.at(-1)?.data).toMatchObject({ matchedBy: "email" });
  });

  it("creates the member when none matches and no signup hook is set", async () => {
    const h = harness();
    const { params, browserBinding } = await loginRoundTrip(h);

    const outcome = await h.flows.completeLogin({ params, browserBinding });

    expect(outcome).toMatchObject({ status: "signed_in", created: true, postLoginPath: "/dashboard?x=1" });
    const memberId = (outcome as { memberId: string }).memberId;
    expect(h.members.rows.get(memberId)).toMatchObject({
      email: "nelly@example.com",
      discordUserId: identity().id,
      discordEmail: "nelly@example.com",
      dueForSyncAt: h.clock.now(),
    });
    expect(h.completions).toEqual([
      { memberId, discordUserId: identity().id, postLoginPath: "/dashboard?x=1", created: true },
    ]);
    expect(h.events.at(-1)?.data).toMatchObject({ outcome: "created" });
  });

  it("hands an unmatched account to onSignupConfirm, then creates it on confirmation", async () => {
    const h = harness({ withSignupHook: true });
    const { params, browserBinding } = await loginRoundTrip(h);

    const pending = await h.flows.completeLogin({ params, browserBinding });

    expect(pending).toEqual({
      status: "signup_pending",
      discordUserId: identity().id,
      postLoginPath: "/dashboard?x=1",
      result: "confirm:nelly@example.com",
    });
    expect(h.members.writes).toEqual([]);
    const [confirmation] = h.confirmations;
    expect(confirmation).toMatchObject({
      provider: "discord",
      identity: { discordUserId: identity().id, email: "nelly@example.com", username: "nelly" },
      postLoginPath: "/dashboard?x=1",
    });
    expect(confirmation?.expiresAt.getTime()).toBe(h.clock.now().getTime() + 600_000);

    h.clock.advance(9 * 60_000);
    const done = await h.flows.confirmSignup({ signupToken: confirmation?.signupToken, browserBinding });
    expect(done).toMatchObject({ status: "signed_in", created: true, postLoginPath: "/dashboard?x=1" });
    expect(h.members.writes.filter((w) => w.startsWith("create:"))).toHaveLength(1);
    expect(h.events.map((e) => e.data?.outcome)).toEqual(["signup_pending", "created"]);
  });

  it("refuses a signup confirmation replayed, expired or sent from another browser", async () => {
    const h = harness({ withSignupHook: true });
    const first = await loginRoundTrip(h);
    await h.flows.completeLogin({ params: first.params, browserBinding: first.browserBinding });
    const token = h.confirmations[0]?.signupToken;

    const otherBrowser = await rejection(
      h.flows.confirmSignup({ signupToken: token, browserBinding: bindingValue() }),
    );
    expect(otherBrowser).toMatchObject({
      name: "StateTokenError",
      reason: "browser_mismatch",
      flow: "signup",
    });
    expect(h.members.writes).toEqual([]);

    await h.flows.confirmSignup({ signupToken: token, browserBinding: first.browserBinding });
    const replay = await rejection(
      h.flows.confirmSignup({ signupToken: token, browserBinding: first.browserBinding }),
    );
    expect(replay).toMatchObject({ reason: "replayed" });

    const h2 = harness({ withSignupHook: true });
    const second = await loginRoundTrip(h2);
    await h2.flows.completeLogin({ params: second.params, browserBinding: second.browserBinding });
    h2.clock.advance(600_000);
    const expired = await rejection(
      h2.flows.confirmSignup({
        signupToken: h2.confirmations[0]?.signupToken,
        browserBinding: second.browserBinding,
      }),
    );
    expect(expired).toMatchObject({ reason: "expired" });
    expect(h2.members.writes).toEqual([]);
  });

  it("signs in rather than duplicates when the account was created between the offer and the confirmation", async () => {
    const h = harness({ withSignupHook: true });
    const { params, browserBinding } = await loginRoundTrip(h);
    await h.flows.completeLogin({ params, browserBinding });
    h.members.rows.set("55", {
      memberId: "55",
      email: "nelly@example.com",
      emailTrusted: true,
      discordUserId: identity().id,
      discordEmail: null,
      discordUsername: null,
      discordAvatar: null,
      dueForSyncAt: null,
    });
    const outcome = await h.flows.confirmSignup({
      signupToken: h.confirmations[0]?.signupToken,
      browserBinding,
    });
    expect(outcome).toMatchObject({ status: "signed_in", memberId: "55", created: false });
    expect(h.members.writes.some((w) => w.startsWith("create:"))).toBe(false);
  });

  describe("an unverified email never matches nor creates", () => {
    it("refuses an unmatched account whose email Discord has not verified, writing nothing", async () => {
      const h = harness();
      const { params, browserBinding } = await loginRoundTrip(h, identity({ verified: false }));
      const error = await rejection(h.flows.completeLogin({ params, browserBinding }));
      expect(error).toBeInstanceOf(UnverifiedEmailError);
      expect(error).toMatchObject({
        code: "email_unverified",
        reason: "unverified",
        discordUserId: identity().id,
      });
      expect(error.message).toMatch(/not verified/);
      expectNothingWritten(h);
      expect(lastError(h)).toMatchObject({ level: "warn", discordUserId: identity().id });
    });

    it("does not match a member by an unverified email (the account-takeover path)", async () => {
      const h = harness({ members: [{ memberId: "1", email: "victim@example.com" }], withSignupHook: true });
      const { params, browserBinding } = await loginRoundTrip(
        h,
        identity({ email: "victim@example.com", verified: false }),
      );
      await expect(h.flows.completeLogin({ params, browserBinding })).rejects.toBeInstanceOf(
        UnverifiedEmailError,
      );
      expectNothingWritten(h);
      expect(h.members.rows.get("1")?.discordUserId).toBeNull();
    });

    it("refuses an account that shares no email at all", async () => {
      const h = harness();
      const { params, browserBinding } = await loginRoundTrip(h, identity({ email: null, verified: false }));
      await expect(h.flows.completeLogin({ params, browserBinding })).rejects.toMatchObject({
        name: "UnverifiedEmailError",
        reason: "missing",
      });
      expectNothingWritten(h);
    });

    it("still signs in an already linked account, clearing the Discord email it no longer vouches for", async () => {
      const h = harness({
        members: [{ memberId: "7", discordUserId: identity().id, discordEmail: "old@example.com" }],
      });
      const { params, browserBinding } = await loginRoundTrip(h, identity({ verified: false }));
      await expect(h.flows.completeLogin({ params, browserBinding })).resolves.toMatchObject({
        memberId: "7",
      });
      expect(h.members.rows.get("7")?.discordEmail).toBeNull();
    });
  });

  describe("a verified address with a non-ASCII character is never matched by email", () => {
    const LOOK_ALIKE = "\u212Aelly@Example.test"; // Kelvin sign: Unicode lower-casing makes it kelly@…

    it("offers signup rather than signing in as the member with the ASCII address", async () => {
      const h = harness({ members: [{ memberId: "7", email: "kelly@example.test" }], withSignupHook: true });
      // Not even asked: a store may fold Unicode when it compares (Postgres `lower()` does).
      const findByEmail = vi.spyOn(h.members.port, "findByVerifiedEmail");
      const { params, browserBinding } = await loginRoundTrip(h, identity({ email: LOOK_ALIKE }));
      const outcome = await h.flows.completeLogin({ params, browserBinding });
      expect(findByEmail).not.toHaveBeenCalled();
      expect(outcome.status).toBe("signup_pending");
      expect(h.confirmations[0]?.identity.email).toBe("\u212Aelly@example.test");
      expect(h.completions).toEqual([]);
      expect(h.members.writes).toEqual([]);
    });

    it("creates a new member when no signup hook is set, leaving the other member untouched", async () => {
      const h = harness({ members: [{ memberId: "7", email: "kelly@example.test" }] });
      const { params, browserBinding } = await loginRoundTrip(h, identity({ email: LOOK_ALIKE }));
      const outcome = await h.flows.completeLogin({ params, browserBinding });
      expect(outcome).toMatchObject({ status: "signed_in", created: true });
      expect(outcome.status === "signed_in" && outcome.memberId).not.toBe("7");
      expect(h.members.rows.get("7")?.discordUserId).toBeNull();
    });
  });

  it("refuses a verified email whose member is linked to a different Discord account, writing nothing", async () => {
    const h = harness({
      members: [{ memberId: "3", email: "nelly@example.com", discordUserId: "11111111111111111" }],
    });
    const { params, browserBinding } = await loginRoundTrip(h);
    const error = await rejection(h.flows.completeLogin({ params, browserBinding }));
    expect(error).toBeInstanceOf(AccountLinkConflictError);
    expect(error).toMatchObject({ reason: "member_linked_to_other_discord_account" });
    expectNothingWritten(h);
  });

  it("refuses to create a member whose email another (untrusted) member holds, writing nothing", async () => {
    const h = harness({ members: [{ memberId: "3", email: "nelly@example.com", emailTrusted: false }] });
    const { params, browserBinding } = await loginRoundTrip(h);
    await expect(h.flows.completeLogin({ params, browserBinding })).rejects.toMatchObject({
      name: "AccountLinkConflictError",
      reason: "email_belongs_to_other_member",
    });
    expectNothingWritten(h);
  });

  describe("bad state", () => {
    it("refuses a tampered state without calling Discord", async () => {
      const h = harness();
      const { params, browserBinding } = await loginRoundTrip(h);
      const state = params.get("state") ?? "";
      params.set("state", `${state.slice(0, -2)}${state.endsWith("AA") ? "BB" : "AA"}`);
      const error = await rejection(h.flows.completeLogin({ params, browserBinding }));
      expect(error).toMatchObject({
        name: "StateTokenError",
        reason: "bad_signature",
        code: "state_bad_signature",
      });
      expect(h.discord.exchanges).toEqual([]);
      expectNothingWritten(h);
      expect(lastError(h)).toMatchObject({ level: "warn", data: { flow: "login", reason: "bad_signature" } });
    });

    it("refuses a state older than 5 minutes", async () => {
      const h = harness();
      const { params, browserBinding } = await loginRoundTrip(h);
      h.clock.advance(300_000);
      await expect(h.flows.completeLogin({ params, browserBinding })).rejects.toMatchObject({
        reason: "expired",
      });
      expect(h.discord.exchanges).toEqual([]);
      expectNothingWritten(h);
    });

    it("refuses a replayed state: the nonce is single-use", async () => {
      const h = harness({ members: [{ memberId: "7", discordUserId: identity().id }] });
      const { params, browserBinding } = await loginRoundTrip(h);
      await h.flows.completeLogin({ params, browserBinding });
      h.members.writes.length = 0;
      h.completions.length = 0;
      const error = await rejection(h.flows.completeLogin({ params, browserBinding }));
      expect(error).toMatchObject({ name: "StateTokenError", reason: "replayed" });
      expect(h.discord.exchanges).toHaveLength(1);
      expectNothingWritten(h);
    });

    it("refuses a link state at the login callback (wrong kind)", async () => {
      const h = harness();
      const link = await h.flows.startLink({ memberId: "1" });
      const params = h.discord.authorize(link.authorizeUrl, identity());
      await expect(
        h.flows.completeLogin({ params, browserBinding: link.browserBinding }),
      ).rejects.toMatchObject({ reason: "wrong_kind" });
      expectNothingWritten(h);
    });

    it("refuses a state started in another browser (login CSRF)", async () => {
      const h = harness();
      // The attacker starts a login and consents with their own Discord account…
      const { params } = await loginRoundTrip(
        h,
        identity({ id: "99999999999999999", email: "attacker@evil.test" }),
      );
      // …then lures the victim's browser to the callback URL.
      for (const victimBinding of [bindingValue({ now: h.clock.now() }), null]) {
        const error = await rejection(h.flows.completeLogin({ params, browserBinding: victimBinding }));
        expect(error).toBeInstanceOf(StateTokenError);
        expect(error).toMatchObject({ reason: "browser_mismatch" });
        expect(error.message).toMatch(/another browser/);
      }
      expect(h.discord.exchanges).toEqual([]);
      expectNothingWritten(h);
    });

    it("refuses a callback with no state", async () => {
      const h = harness();
      const { params, browserBinding } = await loginRoundTrip(h);
      params.delete("state");
      await expect(h.flows.completeLogin({ params, browserBinding })).rejects.toMatchObject({
        reason: "missing",
      });
      expectNothingWritten(h);
    });
  });

  it("reports error=access_denied clearly, writes nothing and leaves the nonce unspent", async () => {
    const h = harness();
    const start = await h.flows.startLogin({ postLoginPath: "/x" });
    const params = h.discord.deny(start.authorizeUrl);
    const error = await rejection(h.flows.completeLogin({ params, browserBinding: start.browserBinding }));
    expect(error).toBeInstanceOf(AuthorizationDeniedError);
    expect(error).toMatchObject({ code: "authorization_denied", error: "access_denied", flow: "login" });
    expect(error.message).toMatch(/cancelled/);
    expect(h.nonces.size()).toBe(0);
    expectNothingWritten(h);
    expect(lastError(h)).toMatchObject({
      level: "info",
      data: { code: "authorization_denied", error: "access_denied" },
    });
  });

  it("does not echo an unexpected error parameter", async () => {
    const h = harness();
    const error = await rejection(
      h.flows.completeLogin({ params: { error: "<script>alert(1)</script>" }, browserBinding: null }),
    );
    expect(error).toMatchObject({ error: "invalid_request" });
    expect(error.message).not.toContain("<script>");
  });

  it("refuses a valid state with no code", async () => {
    const h = harness();
    const { params, browserBinding } = await loginRoundTrip(h);
    params.delete("code");
    await expect(h.flows.completeLogin({ params, browserBinding })).rejects.toBeInstanceOf(MissingCodeError);
    expectNothingWritten(h);
  });

  describe("Discord failing at the token exchange", () => {
    it.each([
      ["a 503", Object.assign(new Error("503"), { status: 503, retryable: true }), "unavailable", true, 503],
      ["a 500", Object.assign(new Error("500"), { status: 500, retryable: true }), "unavailable", true, 500],
      ["a timeout", Object.assign(new Error("timed out"), { name: "TimeoutError" }), "timeout", true, null],
      [
        "a connection reset",
        Object.assign(new Error("socket"), { status: null, retryable: true }),
        "unavailable",
        true,
        null,
      ],
      [
        "invalid_grant",
        Object.assign(new Error("400"), { status: 400, retryable: false }),
        "rejected",
        false,
        400,
      ],
    ])(
      "answers %s with a typed error and writes nothing",
      async (_label, failure, reason, retryable, status) => {
        const h = harness({ members: [{ memberId: "7", discordUserId: identity().id }] });
        const { params, browserBinding } = await loginRoundTrip(h);
        h.discord.failWith(failure);
        const error = await rejection(h.flows.completeLogin({ params, browserBinding }));
        expect(error).toBeInstanceOf(IdentityProviderError);
        expect(error).toMatchObject({ code: "identity_provider_failed", reason, retryable, status });
        expect(error.message).not.toMatch(/503|500|socket|timed out/);
        expectNothingWritten(h);
        expect(lastError(h)).toMatchObject({
          level: "error",
          data: { flow: "login", reason, status, retryable },
        });
      },
    );

    it("reports an identity with a malformed user id as a failed exchange", async () => {
      const h = harness();
      const { params, browserBinding } = await loginRoundTrip(h, identity({ id: "not-a-snowflake" }));
      await expect(h.flows.completeLogin({ params, browserBinding })).rejects.toMatchObject({
        reason: "failed",
      });
      expectNothingWritten(h);
    });
  });

  it.each(["//evil.test", "https://evil.test", "/\\evil.test", "javascript:alert(1)", "/%2F%2Fevil.test"])(
    "lands on / instead of the open-redirect attempt %j",
    async (attempt) => {
      const h = harness({ members: [{ memberId: "7", discordUserId: identity().id }] });
      const { params, browserBinding } = await loginRoundTrip(h, identity(), attempt);
      const outcome = await h.flows.completeLogin({ params, browserBinding });
      expect(outcome.postLoginPath).toBe("/");
      expect(h.completions[0]?.postLoginPath).toBe("/");
    },
  );

  it("lets two tabs of one browser sign in at once by reusing its binding", async () => {
    const h = harness({ members: [{ memberId: "7", discordUserId: identity().id }] });
    const tab1 = await h.flows.startLogin({ postLoginPath: "/one" });
    const tab2 = await h.flows.startLogin({ postLoginPath: "/two", browserBinding: tab1.browserBinding });
    expect(tab2.browserBinding).toBe(tab1.browserBinding);
    const p1 = h.discord.authorize(tab1.authorizeUrl, identity());
    const p2 = h.discord.authorize(tab2.authorizeUrl, identity());
    await expect(
      h.flows.completeLogin({ params: p2, browserBinding: tab1.browserBinding }),
    ).resolves.toMatchObject({
      postLoginPath: "/two",
    });
    await expect(
      h.flows.completeLogin({ params: p1, browserBinding: tab1.browserBinding }),
    ).resolves.toMatchObject({
      postLoginPath: "/one",
    });
  });

  it("reuses a browser binding only while it has the whole chain left, keeping its original expiry", async () => {
    const h = harness();
    const first = await h.flows.startLogin({});
    expect(first.bindingMaxAgeSeconds).toBe(BROWSER_BINDING_MAX_AGE_SECONDS);
    h.clock.advance(600_000);
    const again = await h.flows.startLogin({ browserBinding: first.browserBinding });
    expect(again).toMatchObject({ browserBinding: first.browserBinding, bindingMaxAgeSeconds: 1200 });
    // 901 s old: 899 s left, less than a login (300 s) and its signup confirmation (600 s).
    h.clock.advance(301_000);
    const fresh = await h.flows.startLogin({ browserBinding: first.browserBinding });
    expect(fresh.browserBinding).not.toBe(first.browserBinding);
    expect(fresh.bindingMaxAgeSeconds).toBe(BROWSER_BINDING_MAX_AGE_SECONDS);
    // A link needs its minute and the replacement confirmation's 5 minutes.
    const link = await h.flows.startLink({ memberId: "7", browserBinding: first.browserBinding });
    expect(link).toMatchObject({ browserBinding: first.browserBinding, bindingMaxAgeSeconds: 899 });
    h.clock.advance(540_000);
    const short = await h.flows.startLink({ memberId: "7", browserBinding: first.browserBinding });
    expect(short.browserBinding).not.toBe(first.browserBinding);
    // A binding dated in the future is not reused either.
    const future = bindingValue({ now: new Date(h.clock.now().getTime() + 60_000) });
    expect((await h.flows.startLogin({ browserBinding: future })).browserBinding).not.toBe(future);
  });

  it("collapses identical refusals into one event-log row per minute, with a count", async () => {
    const h = harness({ members: [{ memberId: "7", discordUserId: identity().id }] });
    const garbage = (query: Record<string, string>) =>
      h.flows.completeLogin({ params: query, browserBinding: null }).catch(() => undefined);
    for (let i = 0; i < 50; i++) await garbage({ state: "garbage", code: "x" });
    await garbage({ code: "x" });
    const summary = () => h.events.map((e) => [e.data?.reason, e.data?.count, e.data?.collapsed]);
    expect(summary()).toEqual([
      ["malformed", 1, undefined],
      ["missing", 1, undefined],
    ]);

    h.clock.advance(60_000);
    await garbage({ state: "garbage", code: "x" });
    expect(summary().slice(2)).toEqual([
      ["malformed", 49, true],
      ["malformed", 1, undefined],
    ]);
    expect(h.events[2]).toMatchObject({
      kind: "oauth.error",
      level: "warn",
      data: { flow: "login", code: "state_malformed", windowStart: "2026-11-23T12:00:00.000Z" },
    });

    // The count of a minute is written with the next entry of any kind once the minute is over.
    await garbage({ state: "garbage", code: "x" });
    await garbage({ state: "garbage", code: "x" });
    h.clock.advance(60_000);
    const { params, browserBinding } = await loginRoundTrip(h);
    await h.flows.completeLogin({ params, browserBinding });
    expect(h.events.slice(4).map((e) => [e.kind, e.data?.count])).toEqual([
      ["oauth.error", 2],
      ["oauth.callback", undefined],
    ]);
  });

  it("never writes a state, a code or a signup token to the event log", async () => {
    const h = harness({ withSignupHook: true });
    const { params, browserBinding } = await loginRoundTrip(h);
    await h.flows.completeLogin({ params, browserBinding });
    await h.flows.completeLogin({ params, browserBinding }).catch(() => undefined);
    const logged = JSON.stringify(h.events);
    expect(h.events.length).toBe(2);
    for (const secret of [
      params.get("state"),
      params.get("code"),
      h.confirmations[0]?.signupToken,
      browserBinding,
    ]) {
      expect(secret && logged.includes(secret)).toBeFalsy();
    }
  });

  it("keeps the outcome when the event log fails, and reports the failure", async () => {
    const h = harness({ members: [{ memberId: "7", discordUserId: identity().id }], eventLogFails: true });
    const { params, browserBinding } = await loginRoundTrip(h);
    await expect(h.flows.completeLogin({ params, browserBinding })).resolves.toMatchObject({ memberId: "7" });
    expect(h.logFailures).toHaveLength(1);
  });

  it("answers 'not configured' when the settings were removed after the start, leaving the nonce unspent", async () => {
    const h = harness({ members: [{ memberId: "7", discordUserId: identity().id }] });
    const { params, browserBinding } = await loginRoundTrip(h);
    h.setClient(null);
    const error = await rejection(h.flows.completeLogin({ params, browserBinding }));
    expect(error).toMatchObject({ name: "OAuthNotConfiguredError", flow: "login" });
    expect(h.discord.exchanges).toEqual([]);
    expect(h.nonces.size()).toBe(0);
    expect(lastError(h)).toMatchObject({ data: { flow: "login", code: "oauth_not_configured" } });
    h.setClient({ clientId: "123456789012345678" });
    await expect(h.flows.completeLogin({ params, browserBinding })).resolves.toMatchObject({ memberId: "7" });
  });

  it("keeps a 'not configured' error from the identity provider (settings removed during the exchange)", async () => {
    const h = harness({ members: [{ memberId: "7", discordUserId: identity().id }] });
    const { params, browserBinding } = await loginRoundTrip(h);
    h.discord.failWith(new OAuthNotConfiguredError({ flow: null }));
    const error = await rejection(h.flows.completeLogin({ params, browserBinding }));
    expect(error).toMatchObject({ name: "OAuthNotConfiguredError", flow: "login" });
    expectNothingWritten(h);
  });

  it("is disabled, and refuses to start, when the OAuth client is not configured", async () => {
    const h = harness({ client: null });
    expect(await h.flows.isEnabled()).toBe(false);
    const error = await rejection(h.flows.startLogin({}));
    expect(error).toBeInstanceOf(OAuthNotConfiguredError);
    expect(error.message).toMatch(/not configured/);
    expect(await harness().flows.isEnabled()).toBe(true);
  });

  it("starts without writing anything and purges spent nonces once their tokens expire", async () => {
    const h = harness({ members: [{ memberId: "7", discordUserId: identity().id }] });
    const { params, browserBinding } = await loginRoundTrip(h);
    expect(h.nonces.size()).toBe(0);
    await h.flows.completeLogin({ params, browserBinding });
    expect(h.nonces.size()).toBe(1);
    expect(await h.flows.purgeExpiredNonces()).toBe(0);
    h.clock.advance(300_000);
    expect(await h.flows.purgeExpiredNonces()).toBe(1);
  });
});
