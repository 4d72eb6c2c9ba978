import { Buffer } from "node:buffer";
import { createHmac, randomBytes } from "node:crypto";
import { decodeJwt } from "jose";
import { describe, expect, it } from "vitest";
import { AUTHORIZE_URL, fakeClock, harness, identity, REDIRECT, SECRET } from "../test/fakes";
import { BROWSER_BINDING_MAX_AGE_SECONDS, createBrowserBindings } from "./browser-binding";
import { codeChallengeS256 } from "./pkce";
import { createStateTokens } from "./state-token";

const OTHER_SECRET = "another-secret-that-is-also-32-bytes-or-more";

/** A value of the right shape (52 base64url characters) that no server issued. */
function forgedBinding(now: Date): string {
  const bytes = randomBytes(39);
  bytes.writeUIntBE(Math.floor(now.getTime() / 1000), 0, 6);
  return bytes.toString("base64url");
}

/** The verifier the code before server-issued bindings derived: HMAC keyed by the binding alone. */
function unkeyedVerifier(binding: string, nonce: string): string {
  return createHmac("sha256", binding).update(`guildkit-pkce:${nonce}`).digest("base64url");
}

describe("server-issued browser bindings", () => {
  it("issues 52-character bindings that verify, with their creation time and the signing key", () => {
    const clock = fakeClock();
    const bindings = createBrowserBindings({ secret: SECRET, clock });
    const issued = bindings.issue();
    expect(issued.value).toMatch(/^[A-Za-z0-9_-]{52}$/);
    expect(issued).toMatchObject({ createdAt: clock.now(), keyIndex: 0 });
    expect(bindings.verify(issued.value)).toEqual(issued);
    expect(bindings.issue().value).not.toBe(issued.value);
  });

  it("refuses a well-formed value it did not issue: random bytes, an altered MAC, another deployment's, the old unsigned format", () => {
    const clock = fakeClock();
    const bindings = createBrowserBindings({ secret: SECRET, clock });
    const issued = bindings.issue().value;
    const flipped = Buffer.from(issued, "base64url");
    flipped[38] = (flipped[38] ?? 0) ^ 1;
    const other = createBrowserBindings({ secret: OTHER_SECRET, clock }).issue().value;
    const oldFormat = Buffer.alloc(32, 7).toString("base64url");
    for (const value of [forgedBinding(clock.now()), flipped.toString("base64url"), other, oldFormat]) {
      expect(bindings.verify(value)).toBeNull();
    }
    for (const value of [null, undefined, "", 42, `${issued}x`, issued.slice(1)]) {
      expect(bindings.verify(value)).toBeNull();
    }
  });

  it("keeps verifying bindings of a previous secret during a rotation, with that secret's PKCE key", () => {
    const clock = fakeClock();
    const old = createBrowserBindings({ secret: OTHER_SECRET, clock });
    const issuedBefore = old.issue();
    const rotating = createBrowserBindings({ secret: SECRET, previousSecrets: [OTHER_SECRET], clock });
    const verified = rotating.verify(issuedBefore.value);
    expect(verified).toMatchObject({ value: issuedBefore.value, keyIndex: 1 });
    // The flow started before the rotation derives the same verifier after it.
    expect(rotating.codeVerifier(verified!, "nonce-0123456789ab")).toBe(
      old.codeVerifier(issuedBefore, "nonce-0123456789ab"),
    );
    expect(rotating.issue().keyIndex).toBe(0);
    expect(createBrowserBindings({ secret: SECRET, clock }).verify(issuedBefore.value)).toBeNull();
  });

  it("counts a binding's life from its creation: 1800 s, none when dated in the future", () => {
    const clock = fakeClock();
    const bindings = createBrowserBindings({ secret: SECRET, clock });
    const issued = bindings.issue();
    expect(bindings.secondsLeft(issued)).toBe(BROWSER_BINDING_MAX_AGE_SECONDS);
    clock.advance(1_799_000);
    expect(bindings.secondsLeft(issued)).toBe(1);
    clock.advance(1_000);
    expect(bindings.secondsLeft(issued)).toBe(0);
    const ahead = createBrowserBindings({ secret: SECRET, clock: fakeClock(clock.now().getTime() + 5_000) });
    expect(bindings.secondsLeft(bindings.verify(ahead.issue().value)!)).toBe(0);
  });

  it("derives a PKCE verifier that needs the server's key: the binding and the nonce are not enough", () => {
    const clock = fakeClock();
    const bindings = createBrowserBindings({ secret: SECRET, clock });
    const issued = bindings.issue();
    const verifier = bindings.codeVerifier(issued, "nonce-0123456789ab");
    expect(verifier).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(verifier).not.toBe(unkeyedVerifier(issued.value, "nonce-0123456789ab"));
    // The same binding value under another deployment's keys gives another verifier.
    const other = createBrowserBindings({ secret: OTHER_SECRET, clock });
    expect(other.codeVerifier({ ...issued }, "nonce-0123456789ab")).not.toBe(verifier);
  });
});

describe("flows with a planted binding cookie", () => {
  it("replace a planted binding at the start, so the planter cannot compute the PKCE verifier", async () => {
    const h = harness({ members: [{ memberId: "7", discordUserId: identity().id }] });
    const planted = forgedBinding(h.clock.now());
    const start = await h.flows.startLogin({ postLoginPath: "/", browserBinding: planted });
    expect(start.browserBinding).not.toBe(planted);
    expect(start.bindingMaxAgeSeconds).toBe(BROWSER_BINDING_MAX_AGE_SECONDS);
    const url = new URL(start.authorizeUrl);
    const nonce = String(decodeJwt(url.searchParams.get("state") ?? "").jti);
    const challenge = url.searchParams.get("code_challenge");
    // What the planter can compute from its cookie and the nonce in the URL matches nothing.
    expect(codeChallengeS256(unkeyedVerifier(planted, nonce))).not.toBe(challenge);
    expect(codeChallengeS256(unkeyedVerifier(start.browserBinding, nonce))).not.toBe(challenge);
    // The state names the fresh binding, so the planted one cannot complete the flow either.
    const params = h.discord.authorize(start.authorizeUrl, identity());
    await expect(h.flows.completeLogin({ params, browserBinding: planted })).rejects.toMatchObject({
      reason: "browser_mismatch",
    });
    await expect(
      h.flows.completeLogin({ params, browserBinding: start.browserBinding }),
    ).resolves.toMatchObject({ status: "signed_in", memberId: "7" });
  });

  it("refuse a callback presenting a binding this server did not issue, even with a state naming it", async () => {
    const h = harness({ members: [{ memberId: "7", discordUserId: identity().id }] });
    const forged = forgedBinding(h.clock.now());
    // A state for the forged binding, signed with the deployment's own secret (as a state-only leak of
    // the signing path would allow): the binding check still refuses the cookie.
    const tokens = createStateTokens({ secret: SECRET, clock: h.clock });
    const { token } = await tokens.sign("login", { postLoginPath: "/" }, { browserBinding: forged });
    const url = new URL(AUTHORIZE_URL);
    url.search = new URLSearchParams({
      state: token,
      redirect_uri: REDIRECT.login,
      code_challenge: codeChallengeS256(unkeyedVerifier(forged, "x")),
      code_challenge_method: "S256",
    }).toString();
    const params = h.discord.authorize(url.toString(), identity());
    await expect(h.flows.completeLogin({ params, browserBinding: forged })).rejects.toMatchObject({
      name: "StateTokenError",
      reason: "browser_mismatch",
    });
    expect(h.discord.exchanges).toEqual([]);
    expect(h.nonces.size()).toBe(0);
  });
});
