import { afterEach, describe, expect, it } from "vitest";
import { ALICE, BOB, REDIRECT, readJson, startWorld, UA, type World } from "./helpers";

let w: World;
afterEach(async () => {
  await w.sim.close();
});

const basic = () => `Basic ${Buffer.from(`${w.app.clientId}:${w.app.clientSecret}`).toString("base64")}`;
const token = (form: Record<string, string>) =>
  fetch(`${w.sim.url}/api/oauth2/token`, {
    method: "POST",
    headers: {
      "Content-Type": "application/x-www-form-urlencoded",
      Authorization: basic(),
      "User-Agent": UA,
    },
    body: new URLSearchParams(form),
  });
const revoke = (value: string) =>
  fetch(`${w.sim.url}/api/oauth2/token/revoke`, {
    method: "POST",
    headers: { "Content-Type": "application/x-www-form-urlencoded", Authorization: basic() },
    body: new URLSearchParams({ token: value }),
  });
const me = (accessToken: string) =>
  fetch(`${w.sim.apiBaseUrl}/users/@me`, { headers: { Authorization: `Bearer ${accessToken}` } });

async function authorizeCode(scope: string, redirectUri = REDIRECT): Promise<string> {
  const url = `${w.sim.authorizeUrl}?${new URLSearchParams({
    client_id: w.app.clientId,
    response_type: "code",
    redirect_uri: redirectUri,
    scope,
  })}`;
  return new URL(await w.sim.authorize(url, { userId: ALICE })).searchParams.get("code") ?? "";
}

describe("token exchange and redirect URIs", () => {
  it("answers invalid_request 'Invalid \"redirect_uri\" in request.' for an unregistered or missing redirect_uri", async () => {
    w = await startWorld();
    const code = await authorizeCode("identify");
    for (const redirect of ["http://evil.test/cb", `${REDIRECT}/`, null]) {
      const form: Record<string, string> = { grant_type: "authorization_code", code };
      if (redirect !== null) form.redirect_uri = redirect;
      const res = await token(form);
      expect(res.status, String(redirect)).toBe(400);
      expect(await readJson(res)).toEqual({
        error: "invalid_request",
        error_description: 'Invalid "redirect_uri" in request.',
      });
    }
    // The code was not spent by the refused attempts.
    expect((await token({ grant_type: "authorization_code", code, redirect_uri: REDIRECT })).status).toBe(
      200,
    );
  });
});

describe("refresh, expiry and revocation", () => {
  it("issues expires_in from accessTokenTtlSeconds and expires the token on the sim clock", async () => {
    w = await startWorld({ accessTokenTtlSeconds: 3600 });
    const code = await authorizeCode("identify");
    const first = await readJson(token({ grant_type: "authorization_code", code, redirect_uri: REDIRECT }));
    expect(first.expires_in).toBe(3600);
    w.clock.advance(3_599_999);
    expect((await me(first.access_token)).status).toBe(200);
    w.clock.advance(1);
    expect((await me(first.access_token)).status).toBe(401);
    expect(w.sim.inspect.oauthGrants({ userId: ALICE })[0]?.state).toBe("expired");
    // An expired access token's refresh token still works.
    const refreshed = await token({ grant_type: "refresh_token", refresh_token: first.refresh_token });
    expect(refreshed.status).toBe(200);
    expect((await readJson(refreshed)).expires_in).toBe(3600);
  });

  it("rotates both tokens on refresh: the old access token stops working too, and the scopes carry over", async () => {
    w = await startWorld();
    const code = await authorizeCode("identify role_connections.write");
    const first = await readJson(token({ grant_type: "authorization_code", code, redirect_uri: REDIRECT }));
    const second = await readJson(token({ grant_type: "refresh_token", refresh_token: first.refresh_token }));
    expect(second).toMatchObject({
      token_type: "Bearer",
      expires_in: 604800,
      scope: "identify role_connections.write",
    });
    expect(second.access_token).not.toBe(first.access_token);
    expect(second.refresh_token).not.toBe(first.refresh_token);
    expect((await me(first.access_token)).status).toBe(401);
    expect((await me(second.access_token)).status).toBe(200);
    expect(w.sim.inspect.oauthGrants({ userId: ALICE }).map((g) => g.state)).toEqual(["refreshed", "active"]);
  });

  it("a refresh token is single-use: refreshing with the rotated-away one is invalid_grant", async () => {
    w = await startWorld();
    const code = await authorizeCode("identify guilds.join");
    const first = await readJson(token({ grant_type: "authorization_code", code, redirect_uri: REDIRECT }));
    await readJson(token({ grant_type: "refresh_token", refresh_token: first.refresh_token }));
    const again = await token({ grant_type: "refresh_token", refresh_token: first.refresh_token });
    expect(again.status).toBe(400);
    expect(await again.json()).toMatchObject({ error: "invalid_grant" });
  });

  it("a refresh with scope narrows the new pair to those scopes; one never granted is invalid_scope, old pair kept", async () => {
    w = await startWorld();
    const code = await authorizeCode("identify email guilds.join");
    const first = await readJson(token({ grant_type: "authorization_code", code, redirect_uri: REDIRECT }));
    const wider = await token({
      grant_type: "refresh_token",
      refresh_token: first.refresh_token,
      scope: "identify role_connections.write",
    });
    expect(wider.status).toBe(400);
    expect(await wider.json()).toMatchObject({ error: "invalid_scope" });
    expect((await me(first.access_token)).status).toBe(200);
    const narrowed = await readJson(
      token({
        grant_type: "refresh_token",
        refresh_token: first.refresh_token,
        scope: "guilds.join identify",
      }),
    );
    expect(narrowed.scope).toBe("identify guilds.join");
    const empty = await readJson(
      token({ grant_type: "refresh_token", refresh_token: narrowed.refresh_token, scope: "" }),
    );
    expect(empty.scope).toBe("identify guilds.join");
  });

  it("revoking the access token also kills its refresh token (invalid_grant) and every other token of the authorization", async () => {
    w = await startWorld();
    const a = w.sim.seed.oauthGrant({ userId: ALICE, scopes: ["identify"] });
    const b = w.sim.seed.oauthGrant({ userId: ALICE, scopes: ["identify", "email"] });
    const bob = w.sim.seed.oauthGrant({ userId: BOB, scopes: ["identify"] });
    const res = await revoke(a.access_token);
    expect(res.status).toBe(200);
    expect(await readJson(res)).toEqual({});
    for (const t of [a.access_token, b.access_token]) expect((await me(t)).status).toBe(401);
    const again = await token({ grant_type: "refresh_token", refresh_token: a.refresh_token });
    expect(again.status).toBe(400);
    expect(await readJson(again)).toEqual({
      error: "invalid_grant",
      error_description: 'Invalid "refresh_token" in request',
    });
    expect((await token({ grant_type: "refresh_token", refresh_token: b.refresh_token })).status).toBe(400);
    expect((await me(bob.access_token)).status).toBe(200);
  });

  it("revoking by refresh token works the same way", async () => {
    w = await startWorld();
    const a = w.sim.seed.oauthGrant({ userId: ALICE, scopes: ["identify"] });
    await revoke(a.refresh_token);
    expect((await me(a.access_token)).status).toBe(401);
    expect(w.sim.inspect.oauthGrants({ userId: ALICE })[0]?.state).toBe("revoked");
  });
});

describe("seeded grants and authorizations", () => {
  it("seed.oauthGrant issues a working token pair with the given scopes and lifetime", async () => {
    w = await startWorld();
    const grant = w.sim.seed.oauthGrant({
      userId: ALICE,
      scopes: ["identify", "email"],
      expiresInSeconds: 60,
    });
    expect(grant).toMatchObject({ token_type: "Bearer", expires_in: 60, scope: "identify email" });
    expect((await readJson(me(grant.access_token))).email).toBe("alice@example.test");
    w.clock.advance(60_000);
    expect((await me(grant.access_token)).status).toBe(401);
  });

  it("revokeAuthorization is the user removing the app: tokens stop working and the refresh is invalid_grant", async () => {
    w = await startWorld();
    const grant = w.sim.seed.oauthGrant({ userId: ALICE, scopes: ["identify"] });
    expect(w.sim.seed.revokeAuthorization({ userId: ALICE })).toBe(1);
    expect((await me(grant.access_token)).status).toBe(401);
    const res = await token({ grant_type: "refresh_token", refresh_token: grant.refresh_token });
    expect((await readJson(res)).error).toBe("invalid_grant");
  });

  it("drives grants through /_sim: seed a grant, revoke the authorization, inspect the grants", async () => {
    w = await startWorld();
    const post = (kind: string, body: unknown) =>
      readJson(
        fetch(`${w.sim.url}/_sim/seed/${kind}`, {
          method: "POST",
          headers: { "Content-Type": "application/json" },
          body: JSON.stringify(body),
        }),
      );
    const grant = await post("oauth-grant", { userId: BOB, scopes: ["guilds.join"] });
    expect(grant.scope).toBe("guilds.join");
    expect(await post("revoke-authorization", { userId: BOB })).toEqual({ revoked: 1 });
    const grants = await readJson(fetch(`${w.sim.url}/_sim/inspect/oauth-grants?userId=${BOB}`));
    expect(grants).toEqual([
      expect.objectContaining({
        userId: BOB,
        scopes: ["guilds.join"],
        state: "revoked",
        accessToken: grant.access_token,
      }),
    ]);
  });
});
