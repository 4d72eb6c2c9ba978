import { createHash } from "node:crypto";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ALICE, BOB, REDIRECT, readJson, startWorld, UA, type World } from "./helpers";

let w: World;
beforeEach(async () => {
  w = await startWorld();
});
afterEach(async () => {
  await w.sim.close();
});

const verifier = "a-verifier-of-at-least-forty-three-characters-0123456789";
const challenge = createHash("sha256").update(verifier).digest("base64url");

function authorizeUrl(params: Record<string, string> = {}): string {
  const query = new URLSearchParams({
    client_id: w.app.clientId,
    response_type: "code",
    redirect_uri: REDIRECT,
    scope: "identify email",
    state: "st4te",
    ...params,
  });
  return `${w.sim.authorizeUrl}?${query}`;
}

async function submit(params: Record<string, string>, action: "authorize" | "cancel", user = ALICE) {
  const query = new URL(authorizeUrl(params)).searchParams;
  query.set("user", user);
  query.set("action", action);
  return fetch(w.sim.authorizeUrl, {
    method: "POST",
    body: query,
    redirect: "manual",
  });
}

async function codeFor(params: Record<string, string> = {}, user = ALICE): Promise<string> {
  const res = await submit(params, "authorize", user);
  expect(res.status).toBe(302);
  const location = new URL(res.headers.get("location") ?? "");
  return location.searchParams.get("code") ?? "";
}

function exchange(form: Record<string, string>, headers: Record<string, string> = {}) {
  return fetch(`${w.sim.url}/api/oauth2/token`, {
    method: "POST",
    headers: { "Content-Type": "application/x-www-form-urlencoded", "User-Agent": UA, ...headers },
    body: new URLSearchParams(form),
  });
}

const basic = () => `Basic ${Buffer.from(`${w.app.clientId}:${w.app.clientSecret}`).toString("base64")}`;

describe("GET /oauth2/authorize", () => {
  it("shows the app name, the scopes, a user select defaulting to the authorizing user, Authorize and Cancel", async () => {
    w.sim.seed.authorizingUser(BOB);
    const res = await fetch(authorizeUrl());
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain("Test App");
    expect(html).toContain("<li>identify</li>");
    expect(html).toContain("<li>email</li>");
    expect(html).toContain('<select name="user"');
    expect(html).toContain(`<option value="${BOB}" selected>`);
    expect(html).not.toContain(`<option value="${w.app.botUserId}"`);
    expect(html).toMatch(/value="authorize"[^>]*>Authorize</);
    expect(html).toMatch(/value="cancel"[^>]*>Cancel</);
  });

  it("makes Authorize the default button: the form's first submit button, focused, so Enter submits it", async () => {
    const res = await fetch(authorizeUrl());
    const form = /<form[^>]*>([\s\S]*)<\/form>/.exec(await res.text())?.[1] ?? "";
    const first = /<button type="submit"[^>]*>/.exec(form)?.[0] ?? "";
    expect(first).toContain('value="authorize"');
    expect(first).toContain("autofocus");
  });

  it("shows an error page and never redirects for an unregistered redirect_uri", async () => {
    const res = await fetch(authorizeUrl({ redirect_uri: "http://evil.example/callback" }), {
      redirect: "manual",
    });
    expect(res.status).toBe(400);
    expect(res.headers.get("location")).toBeNull();
    expect(await res.text()).toContain("Invalid OAuth2 redirect_uri");
  });

  it("requires an exact redirect_uri match (a trailing slash is a different URI)", async () => {
    const res = await fetch(authorizeUrl({ redirect_uri: `${REDIRECT}/` }), { redirect: "manual" });
    expect(res.status).toBe(400);
  });

  it("shows an error page for an unknown client_id", async () => {
    const res = await fetch(authorizeUrl({ client_id: "999" }), { redirect: "manual" });
    expect(res.status).toBe(400);
    expect(res.headers.get("location")).toBeNull();
  });

  it("redirects with unsupported_response_type when response_type is not code", async () => {
    const res = await fetch(authorizeUrl({ response_type: "token" }), { redirect: "manual" });
    expect(res.status).toBe(302);
    const location = new URL(res.headers.get("location") ?? "");
    expect(location.searchParams.get("error")).toBe("unsupported_response_type");
    expect(location.searchParams.get("state")).toBe("st4te");
  });

  it("redirects with invalid_request for a PKCE method other than S256", async () => {
    const res = await fetch(authorizeUrl({ code_challenge: challenge, code_challenge_method: "plain" }), {
      redirect: "manual",
    });
    const location = new URL(res.headers.get("location") ?? "");
    expect(location.searchParams.get("error")).toBe("invalid_request");
  });

  it("Authorize redirects to redirect_uri with a code and the state", async () => {
    const res = await submit({}, "authorize");
    expect(res.status).toBe(302);
    const location = new URL(res.headers.get("location") ?? "");
    expect(`${location.origin}${location.pathname}`).toBe(REDIRECT);
    expect(location.searchParams.get("code")).toMatch(/^[A-Za-z0-9]{30}$/);
    expect(location.searchParams.get("state")).toBe("st4te");
  });

  it("Cancel redirects with error=access_denied, a description and the state", async () => {
    const res = await submit({}, "cancel");
    const location = new URL(res.headers.get("location") ?? "");
    expect(location.searchParams.get("error")).toBe("access_denied");
    expect(location.searchParams.get("error_description")).toBeTruthy();
    expect(location.searchParams.get("state")).toBe("st4te");
    expect(location.searchParams.get("code")).toBeNull();
  });

  it("sim.authorize plays the browser and resolves to the redirect", async () => {
    const location = new URL(await w.sim.authorize(authorizeUrl(), { userId: BOB }));
    expect(location.searchParams.get("code")).toBeTruthy();
    const denied = new URL(await w.sim.authorize(authorizeUrl(), { deny: true }));
    expect(denied.searchParams.get("error")).toBe("access_denied");
    await expect(w.sim.authorize(authorizeUrl({ redirect_uri: "http://x.test/cb" }))).rejects.toMatchObject({
      name: "DiscordSimError",
      code: "invalid_authorize_request",
    });
  });
});

describe("POST /oauth2/token", () => {
  it("exchanges a code (client secret by HTTP Basic) for Discord's token response", async () => {
    const code = await codeFor();
    const res = await exchange(
      { grant_type: "authorization_code", code, redirect_uri: REDIRECT },
      { Authorization: basic() },
    );
    expect(res.status).toBe(200);
    const body = await readJson(res);
    expect(body).toEqual({
      access_token: expect.stringMatching(/^\w{30}$/),
      token_type: "Bearer",
      expires_in: 604800,
      refresh_token: expect.stringMatching(/^\w{30}$/),
      scope: "identify email",
    });
  });

  it("accepts client credentials as form fields and the versioned path", async () => {
    const code = await codeFor();
    const res = await fetch(`${w.sim.apiBaseUrl}/oauth2/token`, {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({
        grant_type: "authorization_code",
        code,
        redirect_uri: REDIRECT,
        client_id: w.app.clientId,
        client_secret: w.app.clientSecret,
      }),
    });
    expect(res.status).toBe(200);
  });

  it("uses a code once: the second exchange is invalid_grant", async () => {
    const code = await codeFor();
    const form = { grant_type: "authorization_code", code, redirect_uri: REDIRECT };
    expect((await exchange(form, { Authorization: basic() })).status).toBe(200);
    const again = await exchange(form, { Authorization: basic() });
    expect(again.status).toBe(400);
    expect(await readJson(again)).toEqual({
      error: "invalid_grant",
      error_description: 'Invalid "code" in request.',
    });
  });

  it("rejects a redirect_uri that differs from the authorize request", async () => {
    const code = await codeFor();
    const res = await exchange(
      {
        grant_type: "authorization_code",
        code,
        redirect_uri: "http://localhost:3000/login/discord/callback",
      },
      { Authorization: basic() },
    );
    expect(res.status).toBe(400);
    expect((await readJson(res)).error).toBe("invalid_grant");
  });

  it("expires codes after 10 minutes of sim time", async () => {
    const code = await codeFor();
    w.clock.advance(10 * 60 * 1000 + 1);
    const res = await exchange(
      { grant_type: "authorization_code", code, redirect_uri: REDIRECT },
      { Authorization: basic() },
    );
    expect(res.status).toBe(400);
  });

  it("checks the PKCE verifier: missing or wrong is invalid_grant, right succeeds", async () => {
    const pkce = { code_challenge: challenge, code_challenge_method: "S256" };
    const base = (code: string) => ({ grant_type: "authorization_code", code, redirect_uri: REDIRECT });
    const missing = await exchange(base(await codeFor(pkce)), { Authorization: basic() });
    expect(missing.status).toBe(400);
    expect((await readJson(missing)).error).toBe("invalid_grant");
    const wrong = await exchange(
      { ...base(await codeFor(pkce)), code_verifier: `${verifier}x` },
      { Authorization: basic() },
    );
    expect(wrong.status).toBe(400);
    const right = await exchange(
      { ...base(await codeFor(pkce)), code_verifier: verifier },
      { Authorization: basic() },
    );
    expect(right.status).toBe(200);
  });

  it("records each code's PKCE challenge and whether it was redeemed (inspect.oauthCode, /_sim/inspect/oauth-code)", async () => {
    const code = await codeFor({ code_challenge: challenge, code_challenge_method: "S256" });
    const expected = {
      clientId: w.app.clientId,
      redirectUri: REDIRECT,
      userId: ALICE,
      scopes: ["identify", "email"],
      codeChallenge: challenge,
      used: false,
    };
    expect(w.sim.inspect.oauthCode(code)).toEqual(expected);
    const viaHttp = await fetch(`${w.sim.url}/_sim/inspect/oauth-code?code=${encodeURIComponent(code)}`);
    expect(await viaHttp.json()).toEqual(expected);
    await exchange(
      { grant_type: "authorization_code", code, redirect_uri: REDIRECT, code_verifier: verifier },
      { Authorization: basic() },
    );
    expect(w.sim.inspect.oauthCode(code)).toMatchObject({ used: true });
    expect(w.sim.inspect.oauthCode("no-such-code")).toBeNull();
    expect(w.sim.inspect.oauthCode(await codeFor())).toMatchObject({ codeChallenge: null });
  });

  it("rejects a code_verifier sent for a code issued without a challenge", async () => {
    const res = await exchange(
      {
        grant_type: "authorization_code",
        code: await codeFor(),
        redirect_uri: REDIRECT,
        code_verifier: verifier,
      },
      { Authorization: basic() },
    );
    expect(res.status).toBe(400);
  });

  it("rejects a JSON body with invalid_request", async () => {
    const code = await codeFor();
    const res = await fetch(`${w.sim.url}/api/oauth2/token`, {
      method: "POST",
      headers: { "Content-Type": "application/json", Authorization: basic() },
      body: JSON.stringify({ grant_type: "authorization_code", code, redirect_uri: REDIRECT }),
    });
    expect(res.status).toBe(400);
    expect((await readJson(res)).error).toBe("invalid_request");
  });

  it("answers 401 invalid_client for a wrong secret or an unknown client", async () => {
    const code = await codeFor();
    const form = { grant_type: "authorization_code", code, redirect_uri: REDIRECT };
    const wrong = await exchange(form, {
      Authorization: `Basic ${Buffer.from(`${w.app.clientId}:nope`).toString("base64")}`,
    });
    expect(wrong.status).toBe(401);
    expect(await readJson(wrong)).toEqual({ error: "invalid_client" });
    const none = await exchange(form);
    expect(none.status).toBe(401);
  });

  it("rotates tokens on refresh; the old refresh token stops working", async () => {
    const code = await codeFor();
    const first = await readJson(
      exchange(
        { grant_type: "authorization_code", code, redirect_uri: REDIRECT },
        { Authorization: basic() },
      ),
    );
    const refreshed = await exchange(
      { grant_type: "refresh_token", refresh_token: first.refresh_token },
      { Authorization: basic() },
    );
    expect(refreshed.status).toBe(200);
    const again = await exchange(
      { grant_type: "refresh_token", refresh_token: first.refresh_token },
      { Authorization: basic() },
    );
    expect(again.status).toBe(400);
    expect(await readJson(again)).toEqual({
      error: "invalid_grant",
      error_description: 'Invalid "refresh_token" in request',
    });
  });

  it("answers unsupported_grant_type for an unknown grant", async () => {
    const res = await exchange({ grant_type: "password" }, { Authorization: basic() });
    expect(res.status).toBe(400);
    expect((await readJson(res)).error).toBe("unsupported_grant_type");
  });
});

describe("GET /users/@me", () => {
  async function tokenFor(scope: string, user = ALICE): Promise<string> {
    const code = await codeFor({ scope }, user);
    const res = await exchange(
      { grant_type: "authorization_code", code, redirect_uri: REDIRECT },
      { Authorization: basic() },
    );
    return (await readJson(res)).access_token;
  }
  const me = (authorization?: string) =>
    fetch(`${w.sim.apiBaseUrl}/users/@me`, {
      headers: authorization ? { Authorization: authorization } : {},
    });

  it("returns email and verified only when the email scope was granted", async () => {
    const withoutEmail = await readJson(me(`Bearer ${await tokenFor("identify")}`));
    expect(withoutEmail.id).toBe(ALICE);
    expect(withoutEmail.username).toBe("alice");
    expect(withoutEmail.global_name).toBe("Alice");
    expect(withoutEmail).not.toHaveProperty("email");
    expect(withoutEmail).not.toHaveProperty("verified");
    const withEmail = await readJson(me(`Bearer ${await tokenFor("identify email", BOB)}`));
    expect(withEmail.email).toBe("bob@example.test");
    expect(withEmail.verified).toBe(false);
  });

  it("answers 401 code 0 without a token, with a bad one, and after revocation", async () => {
    const missing = await me();
    expect(missing.status).toBe(401);
    expect(await readJson(missing)).toEqual({ message: "401: Unauthorized", code: 0 });
    expect((await me("Bearer nope")).status).toBe(401);
    const token = await tokenFor("identify");
    const revoked = await fetch(`${w.sim.url}/api/oauth2/token/revoke`, {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded", Authorization: basic() },
      body: new URLSearchParams({ token }),
    });
    expect(revoked.status).toBe(200);
    expect((await me(`Bearer ${token}`)).status).toBe(401);
  });

  it("expires access tokens after expires_in seconds of sim time", async () => {
    const token = await tokenFor("identify");
    w.clock.advance(604_800_000);
    expect((await me(`Bearer ${token}`)).status).toBe(401);
  });

  it("returns the bot user for a Bot token", async () => {
    const bot = await readJson(me(`Bot ${w.app.botToken}`));
    expect(bot.id).toBe(w.app.botUserId);
    expect(bot.bot).toBe(true);
  });
});
