import { MockAgent } from "undici";
import { afterEach, describe, expect, it } from "vitest";
import { DiscordOAuthError, DiscordResponseError } from "./errors";
import { createDiscordOAuth } from "./oauth";

/** For `.then(unexpected, onError)`: the call was supposed to fail. */
const unexpected = (): never => {
  throw new Error("expected the call to fail");
};

const ORIGIN = "https://discord.test";
const SECRET = "client-SECRET-value";
const CODE = "one-time-CODE";
const VERIFIER = "v".repeat(64);
const CHALLENGE = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";
const json = { "content-type": "application/json" };

let agents: MockAgent[] = [];
afterEach(async () => {
  for (const agent of agents) await agent.close();
  agents = [];
});

function setup() {
  const agent = new MockAgent();
  agent.disableNetConnect();
  agents.push(agent);
  const oauth = createDiscordOAuth({
    clientId: "123",
    clientSecret: SECRET,
    apiBaseUrl: `${ORIGIN}/api/v10`,
    authorizeUrl: `${ORIGIN}/oauth2/authorize`,
    dispatcher: agent,
  });
  return { oauth, pool: agent.get(ORIGIN) };
}

describe("createDiscordOAuth", () => {
  it("builds an authorize URL with S256 PKCE and %20-separated scopes", () => {
    const { oauth } = setup();
    const url = oauth.authorizeUrl({
      redirectUri: "https://app.example/discord/callback",
      scopes: ["identify", "email"],
      state: "st4te",
      codeChallenge: CHALLENGE,
    });
    expect(
      url.startsWith(`${ORIGIN}/oauth2/authorize?response_type=code&client_id=123&scope=identify%20email`),
    ).toBe(true);
    const params = new URL(url).searchParams;
    expect(params.get("code_challenge")).toBe(CHALLENGE);
    expect(params.get("code_challenge_method")).toBe("S256");
    expect(params.get("redirect_uri")).toBe("https://app.example/discord/callback");
    expect(params.get("state")).toBe("st4te");
  });

  it("refuses a code challenge that is not base64url S256", () => {
    const { oauth } = setup();
    expect(() =>
      oauth.authorizeUrl({
        redirectUri: "https://a",
        scopes: ["identify"],
        state: "s",
        codeChallenge: "plain",
      }),
    ).toThrow(TypeError);
  });

  it("exchanges a code form-encoded with HTTP Basic client auth", async () => {
    const { oauth, pool } = setup();
    let seen: { headers: Record<string, string>; body: string } = { headers: {}, body: "" };
    pool.intercept({ path: "/api/v10/oauth2/token", method: "POST" }).reply((opts) => {
      seen = { headers: opts.headers as Record<string, string>, body: String(opts.body) };
      return {
        statusCode: 200,
        data: {
          access_token: "at",
          token_type: "Bearer",
          expires_in: 604800,
          refresh_token: "rt",
          scope: "identify email",
        },
        responseOptions: { headers: json },
      };
    });
    const tokens = await oauth.exchangeCode({
      code: CODE,
      redirectUri: "https://a/cb",
      codeVerifier: VERIFIER,
    });
    expect(tokens).toEqual({
      accessToken: "at",
      tokenType: "Bearer",
      expiresIn: 604800,
      refreshToken: "rt",
      scopes: ["identify", "email"],
    });
    expect(seen.headers["content-type"]).toBe("application/x-www-form-urlencoded");
    expect(seen.headers.authorization).toBe(`Basic ${Buffer.from(`123:${SECRET}`).toString("base64")}`);
    expect(Object.fromEntries(new URLSearchParams(seen.body))).toEqual({
      grant_type: "authorization_code",
      code: CODE,
      redirect_uri: "https://a/cb",
      code_verifier: VERIFIER,
    });
  });

  it("maps invalid_grant to DiscordOAuthError without any secret in the message", async () => {
    const { oauth, pool } = setup();
    pool
      .intercept({ path: "/api/v10/oauth2/token", method: "POST" })
      .reply(
        400,
        { error: "invalid_grant", error_description: 'Invalid "code" in request.' },
        { headers: json },
      );
    const error = await oauth
      .exchangeCode({ code: CODE, redirectUri: "https://a/cb", codeVerifier: VERIFIER })
      .then(unexpected, (e: unknown) => e as DiscordOAuthError);
    expect(error).toBeInstanceOf(DiscordOAuthError);
    expect(error).toMatchObject({
      name: "DiscordOAuthError",
      error: "invalid_grant",
      description: 'Invalid "code" in request.',
      status: 400,
      retryable: false,
    });
    const text = JSON.stringify({ ...error, message: error.message, stack: error.stack });
    for (const secret of [SECRET, CODE, VERIFIER]) expect(text).not.toContain(secret);
  });

  it("marks a 429 or 5xx from the token endpoint retryable", async () => {
    const { oauth, pool } = setup();
    pool
      .intercept({ path: "/api/v10/oauth2/token", method: "POST" })
      .reply(
        429,
        { message: "You are being rate limited.", retry_after: 2.5, global: false },
        { headers: json },
      );
    await expect(oauth.refreshToken({ refreshToken: "rt" })).rejects.toMatchObject({
      error: "rate_limited",
      status: 429,
      retryable: true,
      retryAfterMs: 2500,
    });
  });

  it("reads the current user with the Bearer token; verified is false when absent", async () => {
    const { oauth, pool } = setup();
    let auth = "";
    pool.intercept({ path: "/api/v10/users/@me", method: "GET" }).reply((opts) => {
      auth = (opts.headers as Record<string, string>).authorization ?? "";
      return {
        statusCode: 200,
        data: {
          id: "80351110224678912",
          username: "nelly",
          global_name: "Nelly",
          avatar: null,
          locale: "en-US",
        },
        responseOptions: { headers: json },
      };
    });
    const me = await oauth.getCurrentUser({ accessToken: "access" });
    expect(auth).toBe("Bearer access");
    expect(me).toEqual({
      id: "80351110224678912",
      username: "nelly",
      global_name: "Nelly",
      avatar: null,
      email: null,
      verified: false,
    });
  });

  it("reports a rejected access token as invalid_token and a malformed user as DiscordResponseError", async () => {
    const { oauth, pool } = setup();
    pool
      .intercept({ path: "/api/v10/users/@me", method: "GET" })
      .reply(401, { message: "401: Unauthorized", code: 0 }, { headers: json });
    pool.intercept({ path: "/api/v10/users/@me", method: "GET" }).reply(200, { id: "x" }, { headers: json });
    await expect(oauth.getCurrentUser({ accessToken: "bad" })).rejects.toMatchObject({
      error: "invalid_token",
      status: 401,
    });
    await expect(oauth.getCurrentUser({ accessToken: "ok" })).rejects.toBeInstanceOf(DiscordResponseError);
  });

  it("revokes a token with client auth", async () => {
    const { oauth, pool } = setup();
    let body = "";
    pool.intercept({ path: "/api/v10/oauth2/token/revoke", method: "POST" }).reply((opts) => {
      body = String(opts.body);
      return { statusCode: 200, data: {}, responseOptions: { headers: json } };
    });
    await oauth.revokeToken({ token: "at", tokenTypeHint: "access_token" });
    expect(body).toBe("token=at&token_type_hint=access_token");
  });
});
