import { randomBytes } from "node:crypto";
import { pkceChallenge } from "@guildkit/discord-sim";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDiscordOAuth, DiscordApiError, DiscordOAuthError } from "../src";
import { startWorld } from "./helpers";

/** For `.then(unexpected, onError)`: the call was supposed to fail. */
const unexpected = (): never => {
  throw new Error("expected the call to fail");
};

let world: Awaited<ReturnType<typeof startWorld>>;
beforeAll(async () => {
  world = await startWorld();
});
afterAll(async () => {
  await world.close();
});

describe("against the simulator: guild members and roles", () => {
  it("gets a member, and null for a user outside the guild or unknown to Discord", async () => {
    const { demo } = world;
    const rest = world.client();
    const alice = await rest.getGuildMember({ guildId: demo.guildId, userId: demo.users.alice });
    expect(alice).toMatchObject({
      nick: "alice in guild",
      user: { id: demo.users.alice, username: "alice" },
    });
    expect(await rest.getGuildMember({ guildId: demo.guildId, userId: demo.users.carol })).toBeNull();
    expect(await rest.getGuildMember({ guildId: demo.guildId, userId: "1399999999999999999" })).toBeNull();
  });

  it("pages through every member of a guild in id order", async () => {
    const { sim, demo } = world;
    const guild = sim.seed.guild({ name: "big", botRolePosition: 5 });
    sim.seed.members({ guildId: guild.id, count: 25 });
    const rest = world.client();
    const ids: string[] = [];
    for await (const member of rest.iterateGuildMembers({ guildId: guild.id, pageSize: 10 }))
      ids.push(member.user.id);
    expect(ids).toHaveLength(26); // 25 seeded members and the bot
    expect(ids).toContain(demo.application.botUserId);
    expect([...ids].sort((a, b) => (BigInt(a) < BigInt(b) ? -1 : 1))).toEqual(ids);
    expect(
      sim.inspect.requests({ route: "list_members" }).filter((r) => r.path.includes(guild.id)),
    ).toHaveLength(3);
    const page = await rest.listGuildMembers({ guildId: guild.id, limit: 1000 });
    expect(page).toMatchObject({ nextAfter: null });
    expect(page.members).toHaveLength(26);
  });

  it("explains 403 50001 when the Server Members intent is off", async () => {
    const { sim } = world;
    const guild = sim.seed.guild({ name: "no intent", membersIntent: false });
    const error = await world
      .client()
      .listGuildMembers({ guildId: guild.id })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DiscordApiError);
    expect(error).toMatchObject({ status: 403, code: 50001, route: "GET /guilds/:guild/members" });
    expect((error as Error).message).toContain("Server Members Intent");
  });

  it("adds and removes a role with a decoded audit-log reason", async () => {
    const { sim, demo } = world;
    const rest = world.client();
    const input = { guildId: demo.guildId, userId: demo.users.bob, roleId: demo.memberRoleId };
    await rest.addGuildMemberRole({ ...input, reason: "subscription paid — ✓" });
    expect(sim.inspect.member(demo.guildId, demo.users.bob)?.roles).toContain(demo.memberRoleId);
    await rest.removeGuildMemberRole({ ...input, reason: "subscription lapsed" });
    expect(sim.inspect.member(demo.guildId, demo.users.bob)?.roles).not.toContain(demo.memberRoleId);
    const changes = sim.inspect.roleChanges().filter((c) => c.userId === demo.users.bob);
    expect(changes.map((c) => [c.action, c.reason])).toEqual([
      ["add", "subscription paid — ✓"],
      ["remove", "subscription lapsed"],
    ]);
  });

  it("reports a role above the bot's highest role as 403 50013 with what to do", async () => {
    const { sim, demo } = world;
    const high = sim.seed.role({ guildId: demo.guildId, name: "Admins", position: 50 });
    const error = await world
      .client()
      .addGuildMemberRole({ guildId: demo.guildId, userId: demo.users.alice, roleId: high.id })
      .then(unexpected, (e: unknown) => e as DiscordApiError);
    expect(error).toMatchObject({
      name: "DiscordApiError",
      status: 403,
      code: 50013,
      retryable: false,
      retryAfterMs: null,
      route: "PUT /guilds/:guild/members/:user/roles/:role",
    });
    expect(error.message).toContain("move the bot's role above it in Server Settings → Roles");
  });

  it("lists guild roles and channel webhooks (tokens only for this application's webhooks)", async () => {
    const { demo } = world;
    const rest = world.client();
    const roles = await rest.getGuildRoles({ guildId: demo.guildId });
    expect(roles.map((r) => r.name)).toContain("Member");
    const hooks = await rest.getChannelWebhooks({ channelId: demo.channelId });
    const own = hooks.find((h) => h.id === demo.webhook.id);
    const pk = hooks.find((h) => h.id === demo.pluralkitWebhook.id);
    expect(own?.token).toBe(demo.webhook.token);
    expect(pk?.token).toBeUndefined();
    expect(pk?.application_id).toBe("466378653216014359");
  });

  it("rejects a bad bot token with 401 and counts it as an invalid request", async () => {
    const { sim, demo } = world;
    const before = sim.inspect.invalidRequests();
    const rest = world.client({ token: "not-the-token" });
    const error = await rest
      .getGuildRoles({ guildId: demo.guildId })
      .then(unexpected, (e: unknown) => e as DiscordApiError);
    expect(error).toMatchObject({ status: 401, retryable: false });
    expect(error.message).toContain("bot token");
    expect(error.message).not.toContain("not-the-token");
    expect(rest.stats().invalidRequests).toBe(1);
    expect(sim.inspect.invalidRequests()).toBe(before + 1);
  });
});

describe("against the simulator: webhooks and CDN", () => {
  it("executes a webhook, waits for the message, edits and deletes it", async () => {
    const { sim, demo } = world;
    const rest = world.client();
    const hook = rest.parseWebhookUrl(`${sim.url}/api/webhooks/${demo.webhook.id}/${demo.webhook.token}`);
    const message = await rest.executeWebhook({
      webhookId: hook.id,
      webhookToken: hook.token,
      body: { content: "new member: alice", username: "guildkit", allowed_mentions: { parse: [] } },
    });
    expect(message).toMatchObject({ content: "new member: alice", webhook_id: demo.webhook.id });
    expect(sim.inspect.messages(demo.webhook.id).at(-1)).toMatchObject({
      content: "new member: alice",
      username: "guildkit",
    });
    const edited = await rest.editWebhookMessage({
      webhookId: hook.id,
      webhookToken: hook.token,
      messageId: message.id,
      body: { content: "edited" },
    });
    expect(edited.content).toBe("edited");
    expect(
      await rest.deleteWebhookMessage({
        webhookId: hook.id,
        webhookToken: hook.token,
        messageId: message.id,
      }),
    ).toBe(true);
    expect(
      await rest.deleteWebhookMessage({
        webhookId: hook.id,
        webhookToken: hook.token,
        messageId: message.id,
      }),
    ).toBe(false);
  });

  it("executes without wait (204 → null) and into a thread", async () => {
    const { sim, demo } = world;
    const thread = sim.seed.channel({ guildId: demo.guildId, parentId: demo.channelId, name: "thread" });
    const rest = world.client();
    const result = await rest.executeWebhook({
      webhookId: demo.webhook.id,
      webhookToken: demo.webhook.token,
      body: { content: "quiet" },
      wait: false,
    });
    expect(result).toBeNull();
    const inThread = await rest.executeWebhook({
      webhookId: demo.webhook.id,
      webhookToken: demo.webhook.token,
      body: { content: "threaded" },
      threadId: thread.id,
    });
    expect(inThread.channel_id).toBe(thread.id);
    expect(sim.inspect.messages(demo.webhook.id).at(-1)).toMatchObject({
      threadId: thread.id,
      content: "threaded",
    });
  });

  it("maps a wrong webhook token to 401 50027 and a deleted webhook to 404 10015, never retried", async () => {
    const { sim, demo } = world;
    const rest = world.client();
    await expect(
      rest.executeWebhook({
        webhookId: demo.webhook.id,
        webhookToken: "wrong-token",
        body: { content: "x" },
      }),
    ).rejects.toMatchObject({ status: 401, code: 50027, route: "POST /webhooks/:webhook/:token" });
    const doomed = sim.seed.webhook({ channelId: demo.channelId, name: "doomed" });
    sim.seed.deleteWebhook(doomed.id);
    const send = () =>
      rest.executeWebhook({ webhookId: doomed.id, webhookToken: doomed.token, body: { content: "x" } });
    await expect(send()).rejects.toMatchObject({ status: 404, code: 10015, retryable: false });
    await expect(send()).rejects.toMatchObject({ status: 404, code: 10015 });
    expect(
      sim.inspect.requests({ route: "execute_webhook" }).filter((r) => r.path.includes(doomed.id)),
    ).toHaveLength(1);
  });

  it("reads a webhook with its token (its channel, no creator), and a wrong token as 401 50027", async () => {
    const { sim, demo } = world;
    const rest = world.client();
    const webhook = await rest.getWebhookWithToken({
      webhookId: demo.webhook.id,
      webhookToken: demo.webhook.token,
    });
    expect(webhook).toMatchObject({
      id: demo.webhook.id,
      channel_id: demo.channelId,
      guild_id: demo.guildId,
    });
    expect(webhook.user).toBeUndefined();
    expect(sim.inspect.requests({ route: "get_webhook" }).at(-1)).toMatchObject({ status: 200 });
    await expect(
      rest.getWebhookWithToken({ webhookId: demo.webhook.id, webhookToken: "wrong-token" }),
    ).rejects.toMatchObject({ status: 401, code: 50027, route: "GET /webhooks/:webhook/:token" });
  });

  it("refuses an empty message with 400 50006", async () => {
    const { demo } = world;
    await expect(
      world
        .client()
        .executeWebhook({ webhookId: demo.webhook.id, webhookToken: demo.webhook.token, body: {} }),
    ).rejects.toMatchObject({ status: 400, code: 50006 });
  });

  it("downloads a user avatar as PNG, and null for an unknown hash", async () => {
    const { demo } = world;
    const rest = world.client();
    const image = await rest.fetchAvatar({
      userId: demo.users.alice,
      hash: "a1b2c3d4e5f60718293a4b5c6d7e8f90",
      size: 64,
    });
    expect(image?.contentType).toBe("image/png");
    expect([...(image?.bytes.slice(0, 4) ?? [])]).toEqual([137, 80, 78, 71]);
    expect(await rest.fetchAvatar({ userId: demo.users.alice, hash: "0000" })).toBeNull();
  });
});

describe("against the simulator: OAuth2", () => {
  function oauth() {
    const { sim, demo } = world;
    return createDiscordOAuth({
      clientId: demo.application.clientId,
      clientSecret: demo.application.clientSecret,
      apiBaseUrl: sim.apiBaseUrl,
      authorizeUrl: sim.authorizeUrl,
    });
  }
  const redirectUri = "http://localhost:3000/discord/callback";

  async function authorize(userId: string, verifier: string) {
    const url = oauth().authorizeUrl({
      redirectUri,
      scopes: ["identify", "email"],
      state: "state-1",
      codeChallenge: pkceChallenge(verifier),
    });
    const location = new URL(await world.sim.authorize(url, { userId }));
    expect(location.searchParams.get("state")).toBe("state-1");
    return location.searchParams.get("code")!;
  }

  it("runs the authorization-code flow with PKCE and reads the verified user", async () => {
    const verifier = randomBytes(32).toString("base64url");
    const code = await authorize(world.demo.users.alice, verifier);
    const tokens = await oauth().exchangeCode({ code, redirectUri, codeVerifier: verifier });
    expect(tokens.scopes.sort()).toEqual(["email", "identify"]);
    const me = await oauth().getCurrentUser({ accessToken: tokens.accessToken });
    expect(me).toEqual({
      id: world.demo.users.alice,
      username: "alice",
      global_name: "Alice",
      avatar: "a1b2c3d4e5f60718293a4b5c6d7e8f90",
      email: "alice@example.test",
      verified: true,
    });
    await oauth().revokeToken({ token: tokens.accessToken });
    await expect(oauth().getCurrentUser({ accessToken: tokens.accessToken })).rejects.toMatchObject({
      error: "invalid_token",
      status: 401,
    });
  });

  it("reports an unverified email as verified: false", async () => {
    const verifier = randomBytes(32).toString("base64url");
    const code = await authorize(world.demo.users.bob, verifier);
    const tokens = await oauth().exchangeCode({ code, redirectUri, codeVerifier: verifier });
    expect(await oauth().getCurrentUser({ accessToken: tokens.accessToken })).toMatchObject({
      email: "bob@example.test",
      verified: false,
    });
  });

  it("refuses a wrong verifier and a replayed code with invalid_grant", async () => {
    const verifier = randomBytes(32).toString("base64url");
    const code = await authorize(world.demo.users.alice, verifier);
    const wrong = await oauth()
      .exchangeCode({ code, redirectUri, codeVerifier: randomBytes(32).toString("base64url") })
      .catch((e: unknown) => e);
    expect(wrong).toBeInstanceOf(DiscordOAuthError);
    expect(wrong).toMatchObject({ error: "invalid_grant", status: 400, retryable: false });
    expect((wrong as Error).message).not.toContain(code);
    expect((wrong as Error).message).not.toContain(world.demo.application.clientSecret);
    const code2 = await authorize(world.demo.users.alice, verifier);
    await oauth().exchangeCode({ code: code2, redirectUri, codeVerifier: verifier });
    await expect(
      oauth().exchangeCode({ code: code2, redirectUri, codeVerifier: verifier }),
    ).rejects.toMatchObject({
      error: "invalid_grant",
    });
  });

  it("refuses a wrong client secret with invalid_client", async () => {
    const { sim, demo } = world;
    const bad = createDiscordOAuth({
      clientId: demo.application.clientId,
      clientSecret: "wrong-secret",
      apiBaseUrl: sim.apiBaseUrl,
    });
    const verifier = randomBytes(32).toString("base64url");
    const code = await authorize(demo.users.alice, verifier);
    const error = await bad
      .exchangeCode({ code, redirectUri, codeVerifier: verifier })
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ name: "DiscordOAuthError", error: "invalid_client", status: 401 });
    expect((error as Error).message).not.toContain("wrong-secret");
  });
});
