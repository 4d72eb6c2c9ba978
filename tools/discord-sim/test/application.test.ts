import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ALICE, REDIRECT, readJson, startWorld, type World } from "./helpers";

let w: World;
beforeEach(async () => {
  w = await startWorld();
});
afterEach(async () => {
  await w.sim.close();
});

const GATEWAY_PRESENCE = 1 << 12;
const GATEWAY_PRESENCE_LIMITED = 1 << 13;
const GATEWAY_GUILD_MEMBERS = 1 << 14;
const GATEWAY_GUILD_MEMBERS_LIMITED = 1 << 15;
const GATEWAY_MESSAGE_CONTENT_LIMITED = 1 << 19;

describe("GET /applications/@me", () => {
  it("returns the bot's application: id, name, bot user, redirect URIs, verification URL and intent flags", async () => {
    w.sim.seed.application({
      clientId: w.app.clientId,
      roleConnectionsVerificationUrl: "http://localhost:3000/discord/linked-roles",
      description: "paid roles",
    });
    const res = await w.bot("/applications/@me");
    expect(res.status).toBe(200);
    const app = await readJson(res);
    expect(app).toMatchObject({
      id: w.app.clientId,
      name: "Test App",
      description: "paid roles",
      bot_public: true,
      bot_require_code_grant: false,
      redirect_uris: [REDIRECT, "http://localhost:3000/login/discord/callback"],
      role_connections_verification_url: "http://localhost:3000/discord/linked-roles",
      bot: { id: w.app.botUserId, bot: true },
      team: null,
      approximate_guild_count: 1,
    });
    expect(app.verify_key).toMatch(/^[0-9a-f]{64}$/);
    // An unverified app with the Server Members intent on reports the _LIMITED flag, not the full one.
    expect(app.flags & GATEWAY_GUILD_MEMBERS_LIMITED).toBe(GATEWAY_GUILD_MEMBERS_LIMITED);
    expect(app.flags & GATEWAY_GUILD_MEMBERS).toBe(0);
    expect(app.flags_new).toBe(String(app.flags));
    expect(app).not.toHaveProperty("client_secret");
    expect(JSON.stringify(app)).not.toContain(w.app.botToken);
  });

  it("drops the Server Members flag when the intent is off, and reports verified apps' full flags", async () => {
    w.sim.seed.application({ clientId: w.app.clientId, membersIntent: false, messageContentIntent: true });
    const off = await readJson(w.bot("/applications/@me"));
    expect(off.flags & (GATEWAY_GUILD_MEMBERS | GATEWAY_GUILD_MEMBERS_LIMITED)).toBe(0);
    expect(off.flags & GATEWAY_MESSAGE_CONTENT_LIMITED).toBe(GATEWAY_MESSAGE_CONTENT_LIMITED);
    w.sim.seed.application({
      clientId: w.app.clientId,
      membersIntent: true,
      presenceIntent: true,
      verified: true,
    });
    const verified = await readJson(w.bot("/applications/@me"));
    expect(verified.flags & GATEWAY_GUILD_MEMBERS).toBe(GATEWAY_GUILD_MEMBERS);
    expect(verified.flags & GATEWAY_PRESENCE).toBe(GATEWAY_PRESENCE);
    expect(verified.flags & (GATEWAY_GUILD_MEMBERS_LIMITED | GATEWAY_PRESENCE_LIMITED)).toBe(0);
  });

  it("keeps what a re-seed does not change: credentials and redirect URIs stay, a new redirect list replaces the old", async () => {
    const again = w.sim.seed.application({
      clientId: w.app.clientId,
      redirectUris: ["http://other.test/cb"],
    });
    expect(again.botToken).toBe(w.app.botToken);
    expect(again.clientSecret).toBe(w.app.clientSecret);
    expect((await readJson(w.bot("/applications/@me"))).redirect_uris).toEqual(["http://other.test/cb"]);
  });

  it("answers 401 code 0 to a wrong bot token and to a bearer token", async () => {
    const wrong = await w.raw("/api/v10/applications/@me", { headers: { Authorization: "Bot nope" } });
    expect(wrong.status).toBe(401);
    expect(await readJson(wrong)).toEqual({ message: "401: Unauthorized", code: 0 });
    const { access_token } = w.sim.seed.oauthGrant({ userId: ALICE, scopes: ["identify"] });
    const bearer = await w.raw("/api/v10/applications/@me", {
      headers: { Authorization: `Bearer ${access_token}` },
    });
    expect(bearer.status).toBe(401);
  });

  it("GET /oauth2/applications/@me answers the same application without flags", async () => {
    const res = await w.bot("/oauth2/applications/@me");
    expect(res.status).toBe(200);
    const app = await readJson(res);
    expect(app).toMatchObject({ id: w.app.clientId, redirect_uris: [REDIRECT, expect.any(String)] });
    expect(app).not.toHaveProperty("flags");
  });
});

describe("GET /users/@me with the bot token", () => {
  it("answers the bot user with bot: true; a wrong token is 401 code 0", async () => {
    const me = await readJson(w.bot("/users/@me"));
    expect(me).toMatchObject({ id: w.app.botUserId, bot: true });
    const wrong = await w.raw("/api/v10/users/@me", { headers: { Authorization: `Bot ${w.app.botToken}x` } });
    expect(wrong.status).toBe(401);
    expect(await readJson(wrong)).toEqual({ message: "401: Unauthorized", code: 0 });
  });

  it("the token's application id is the application's client id (what the doctor compares)", async () => {
    const app = await readJson(w.bot("/applications/@me"));
    const me = await readJson(w.bot("/users/@me"));
    expect(app.id).toBe(w.app.clientId);
    expect(app.bot.id).toBe(me.id);
  });
});
