import { base64url, decodeJwt, decodeProtectedHeader, SignJWT, UnsecuredJWT } from "jose";
import { describe, expect, it } from "vitest";
import { bindingValue } from "../test/bindings";
import { fakeClock, SECRET } from "../test/fakes";
import { OAuthConfigError, StateTokenError, type StateTokenReason } from "./errors";
import { createStateTokens, MAX_CLOCK_SKEW_SECONDS } from "./state-token";

const OTHER_SECRET = "another-secret-that-is-also-32-bytes-or-more";
const PROFILE = {
  discordUserId: "80351110224678912",
  email: null,
  username: "nelly",
  globalName: "Nelly",
  avatar: null,
};

function setup(overrides: { secret?: string; previousSecrets?: string[]; issuer?: string } = {}) {
  const clock = fakeClock();
  const tokens = createStateTokens({ secret: SECRET, clock, ...overrides });
  return { clock, tokens, binding: bindingValue() };
}

async function reasonOf(promise: Promise<unknown>): Promise<StateTokenReason> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(StateTokenError);
  return (error as StateTokenError).reason;
}

function mutate(token: string, part: 0 | 1 | 2, edit: (segment: string) => string): string {
  const parts = token.split(".");
  parts[part] = edit(parts[part] ?? "");
  return parts.join(".");
}

describe("state tokens", () => {
  it("round-trips each kind with its payload, a fresh nonce and the kind's lifetime", async () => {
    const { tokens, binding, clock } = setup();
    const link = await tokens.sign(
      "link",
      { memberId: "42", returnPath: "/account" },
      { browserBinding: binding },
    );
    const login = await tokens.sign(
      "login",
      { postLoginPath: "/dashboard?x=1" },
      { browserBinding: binding },
    );
    const identity = {
      discordUserId: "80351110224678912",
      email: "nelly@example.com",
      username: "nelly",
      globalName: null,
      avatar: null,
    };
    const signup = await tokens.sign("signup", { identity, postLoginPath: "/" }, { browserBinding: binding });

    const now = clock.now().getTime();
    expect(link.expiresAt.getTime() - now).toBe(60_000);
    expect(login.expiresAt.getTime() - now).toBe(300_000);
    expect(signup.expiresAt.getTime() - now).toBe(600_000);
    expect(new Set([link.nonce, login.nonce, signup.nonce]).size).toBe(3);

    const v1 = await tokens.verify(link.token, { kind: "link", browserBinding: binding });
    expect(v1).toMatchObject({ kind: "link", memberId: "42", returnPath: "/account", nonce: link.nonce });
    const v2 = await tokens.verify(login.token, { kind: "login", browserBinding: binding });
    expect(v2).toMatchObject({ kind: "login", postLoginPath: "/dashboard?x=1", nonce: login.nonce });
    const v3 = await tokens.verify(signup.token, { kind: "signup", browserBinding: binding });
    expect(v3).toMatchObject({ kind: "signup", identity, postLoginPath: "/" });
    expect(v3.expiresAt).toEqual(signup.expiresAt);
  });

  it("signs HS256 with a typed header and carries only a hash of the browser binding", async () => {
    const { tokens, binding } = setup();
    const { token, nonce } = await tokens.sign("login", { postLoginPath: "/" }, { browserBinding: binding });
    expect(decodeProtectedHeader(token)).toMatchObject({ alg: "HS256", typ: "guildkit-oauth-state+jwt" });
    const claims = decodeJwt(token);
    expect(claims).toMatchObject({ iss: "guildkit/oauth-state", aud: "guildkit:oauth:login", jti: nonce });
    expect(token).not.toContain(binding);
    expect(JSON.stringify(claims)).not.toContain(binding);
  });

  it("refuses a token whose payload was altered", async () => {
    const { tokens, binding } = setup();
    const { token } = await tokens.sign(
      "link",
      { memberId: "42", returnPath: "/" },
      { browserBinding: binding },
    );
    const forged = mutate(token, 1, (segment) => {
      const claims = JSON.parse(new TextDecoder().decode(base64url.decode(segment)));
      return base64url.encode(JSON.stringify({ ...claims, sub: "1" }));
    });
    expect(await reasonOf(tokens.verify(forged, { kind: "link", browserBinding: binding }))).toBe(
      "bad_signature",
    );
  });

  it("refuses a token whose signature was altered", async () => {
    const { tokens, binding } = setup();
    const { token } = await tokens.sign("login", { postLoginPath: "/" }, { browserBinding: binding });
    const forged = mutate(token, 2, (sig) => (sig.startsWith("A") ? "B" : "A") + sig.slice(1));
    expect(await reasonOf(tokens.verify(forged, { kind: "login", browserBinding: binding }))).toBe(
      "bad_signature",
    );
  });

  it("refuses a token signed with another secret", async () => {
    const { binding, clock } = setup();
    const other = createStateTokens({ secret: OTHER_SECRET, clock });
    const { token } = await other.sign("login", { postLoginPath: "/" }, { browserBinding: binding });
    const { tokens } = setup();
    expect(await reasonOf(tokens.verify(token, { kind: "login", browserBinding: binding }))).toBe(
      "bad_signature",
    );
  });

  it("pins the algorithm: an unsigned token and an HS512 token with the right secret are refused", async () => {
    const { tokens, binding } = setup();
    const { token } = await tokens.sign("login", { postLoginPath: "/" }, { browserBinding: binding });
    const claims = decodeJwt(token);
    const header = decodeProtectedHeader(token);
    const unsigned = new UnsecuredJWT(claims).encode();
    expect(await reasonOf(tokens.verify(unsigned, { kind: "login", browserBinding: binding }))).toBe(
      "bad_signature",
    );
    const hs512 = await new SignJWT(claims)
      .setProtectedHeader({ ...header, alg: "HS512" })
      .sign(new TextEncoder().encode(SECRET));
    expect(await reasonOf(tokens.verify(hs512, { kind: "login", browserBinding: binding }))).toBe(
      "bad_signature",
    );
  });

  it("expires each kind at its lifetime by the clock it was given", async () => {
    for (const [kind, seconds] of [
      ["link", 60],
      ["login", 300],
      ["signup", 600],
      ["replace", 300],
    ] as const) {
      const { tokens, binding, clock } = setup();
      const payload =
        kind === "link"
          ? { memberId: "1", returnPath: "/" }
          : kind === "login"
            ? { postLoginPath: "/" }
            : kind === "replace"
              ? {
                  memberId: "1",
                  returnPath: "/",
                  previous: { discordUserId: "2", username: null },
                  profile: PROFILE,
                }
              : {
                  identity: {
                    discordUserId: "1",
                    email: "a@b.c",
                    username: "a",
                    globalName: null,
                    avatar: null,
                  },
                  postLoginPath: "/",
                };
      // biome-ignore lint/suspicious/noExplicitAny: one payload per kind, picked above
      const { token } = await tokens.sign(kind, payload as any, { browserBinding: binding });
      clock.advance(seconds * 1000 - 1000);
      await expect(tokens.verify(token, { kind, browserBinding: binding })).resolves.toMatchObject({ kind });
      clock.advance(1000);
      expect(await reasonOf(tokens.verify(token, { kind, browserBinding: binding }))).toBe("expired");
    }
  });

  it("refuses a token of another kind", async () => {
    const { tokens, binding } = setup();
    const { token } = await tokens.sign("login", { postLoginPath: "/" }, { browserBinding: binding });
    expect(await reasonOf(tokens.verify(token, { kind: "link", browserBinding: binding }))).toBe(
      "wrong_kind",
    );
    expect(await reasonOf(tokens.verify(token, { kind: "signup", browserBinding: binding }))).toBe(
      "wrong_kind",
    );
  });

  it("refuses a token from a deployment with another issuer", async () => {
    const { binding, clock } = setup();
    const other = createStateTokens({ secret: SECRET, clock, issuer: "staging" });
    const { token } = await other.sign("login", { postLoginPath: "/" }, { browserBinding: binding });
    const { tokens } = setup();
    expect(await reasonOf(tokens.verify(token, { kind: "login", browserBinding: binding }))).toBe(
      "wrong_issuer",
    );
  });

  it("refuses a token presented by another browser, or by one without the binding cookie", async () => {
    const { tokens, binding } = setup();
    const { token } = await tokens.sign("login", { postLoginPath: "/" }, { browserBinding: binding });
    for (const presented of [bindingValue(), null, undefined, "", "not-a-binding", `${binding}x`]) {
      expect(await reasonOf(tokens.verify(token, { kind: "login", browserBinding: presented }))).toBe(
        "browser_mismatch",
      );
    }
  });

  it("reports a missing token as missing and garbage as malformed", async () => {
    const { tokens, binding } = setup();
    expect(await reasonOf(tokens.verify(null, { kind: "login", browserBinding: binding }))).toBe("missing");
    expect(await reasonOf(tokens.verify("", { kind: "login", browserBinding: binding }))).toBe("missing");
    for (const garbage of ["abc", "a.b.c", "x".repeat(5000), "eyJhbGciOiJIUzI1NiJ9..sig"]) {
      expect(await reasonOf(tokens.verify(garbage, { kind: "login", browserBinding: binding }))).toBe(
        "malformed",
      );
    }
  });

  it("verifies tokens signed with a previous secret during a rotation, and only then", async () => {
    const { binding, clock } = setup();
    const old = createStateTokens({ secret: OTHER_SECRET, clock });
    const { token } = await old.sign("login", { postLoginPath: "/" }, { browserBinding: binding });
    const rotating = createStateTokens({ secret: SECRET, previousSecrets: [OTHER_SECRET], clock });
    await expect(rotating.verify(token, { kind: "login", browserBinding: binding })).resolves.toMatchObject({
      kind: "login",
    });
    const fresh = await rotating.sign("login", { postLoginPath: "/" }, { browserBinding: binding });
    const current = createStateTokens({ secret: SECRET, clock });
    await expect(
      current.verify(fresh.token, { kind: "login", browserBinding: binding }),
    ).resolves.toBeTruthy();
    expect(await reasonOf(current.verify(token, { kind: "login", browserBinding: binding }))).toBe(
      "bad_signature",
    );
  });

  it("round-trips a replacement confirmation with both Discord accounts, bound to the member", async () => {
    const { tokens, binding } = setup();
    const payload = {
      memberId: "42",
      returnPath: "/me",
      previous: { discordUserId: "111", username: "old name" },
      profile: PROFILE,
    };
    const { token } = await tokens.sign("replace", payload, { browserBinding: binding });
    expect(decodeJwt(token)).toMatchObject({ aud: "guildkit:oauth:replace", sub: "42" });
    await expect(tokens.verify(token, { kind: "replace", browserBinding: binding })).resolves.toMatchObject({
      kind: "replace",
      ...payload,
    });
    expect(await reasonOf(tokens.verify(token, { kind: "link", browserBinding: binding }))).toBe(
      "wrong_kind",
    );
  });

  it(`refuses a token issued more than ${MAX_CLOCK_SKEW_SECONDS} s in the future (issued_in_future), accepts skew up to it`, async () => {
    const { tokens, binding, clock } = setup();
    const ahead = (seconds: number) => {
      const server = fakeClock(clock.now().getTime() + seconds * 1000);
      return createStateTokens({ secret: SECRET, clock: server }).sign(
        "login",
        { postLoginPath: "/" },
        { browserBinding: binding },
      );
    };
    const skewed = await ahead(MAX_CLOCK_SKEW_SECONDS);
    await expect(
      tokens.verify(skewed.token, { kind: "login", browserBinding: binding }),
    ).resolves.toMatchObject({ kind: "login" });
    const future = await ahead(MAX_CLOCK_SKEW_SECONDS + 1);
    const error = await tokens
      .verify(future.token, { kind: "login", browserBinding: binding })
      .catch((e) => e);
    expect(error).toBeInstanceOf(StateTokenError);
    expect(error).toMatchObject({ reason: "issued_in_future", code: "state_issued_in_future" });
    // A day ahead, still within its `exp` by the verifier's clock: refused all the same.
    const dayAhead = await ahead(86_400);
    expect(await reasonOf(tokens.verify(dayAhead.token, { kind: "login", browserBinding: binding }))).toBe(
      "issued_in_future",
    );
  });

  it("refuses a secret shorter than 32 bytes", () => {
    expect(() => createStateTokens({ secret: "short", clock: fakeClock() })).toThrow(OAuthConfigError);
    expect(() =>
      createStateTokens({ secret: SECRET, previousSecrets: ["x".repeat(31)], clock: fakeClock() }),
    ).toThrow(/at least 32 bytes/);
  });
});
