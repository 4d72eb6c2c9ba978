import { afterEach, describe, expect, it } from "vitest";
import type {
  DiscordBudgetWaitEvent,
  DiscordRateLimitedEvent,
  DiscordResponseEvent,
  DiscordRestObserver,
  DiscordRetryEvent,
} from "../src";
import { startWorld } from "./helpers";

let world: Awaited<ReturnType<typeof startWorld>> | null = null;
afterEach(async () => {
  await world?.close();
  world = null;
});

function recorder() {
  const seen = {
    responses: [] as DiscordResponseEvent[],
    rateLimited: [] as DiscordRateLimitedEvent[],
    retries: [] as DiscordRetryEvent[],
    waits: [] as DiscordBudgetWaitEvent[],
  };
  const observer: DiscordRestObserver = {
    onResponse: (e) => seen.responses.push(e),
    onRateLimited: (e) => seen.rateLimited.push(e),
    onRetry: (e) => seen.retries.push(e),
    onBudgetWait: (e) => seen.waits.push(e),
  };
  return { seen, observer };
}

describe("the client's observer, against discord-sim", () => {
  it("is told each answer by route template and status, each 429 by scope, each retry and each budget wait", async () => {
    world = await startWorld();
    const { sim, demo } = world;
    const { seen, observer } = recorder();
    const discord = world.client({ observer, retries: 2 });

    sim.faults.set({ route: "guild_roles", force429: { count: 1, retryAfterMs: 20, scope: "shared" } });
    await discord.getGuildRoles({ guildId: demo.guildId });
    sim.faults.clear();
    sim.faults.set({ route: "get_member", errorRate: 1, errorStatuses: [502] });
    await expect(
      discord.getGuildMember({ guildId: demo.guildId, userId: demo.users.alice }),
    ).rejects.toThrow();
    sim.faults.clear();
    await discord.getGuildMember({ guildId: demo.guildId, userId: demo.users.alice });

    expect(seen.responses.map((r) => [r.method, r.route, r.status])).toEqual([
      ["GET", "/guilds/:guild/roles", 429],
      ["GET", "/guilds/:guild/roles", 200],
      ["GET", "/guilds/:guild/members/:user", 502],
      ["GET", "/guilds/:guild/members/:user", 502],
      ["GET", "/guilds/:guild/members/:user", 502],
      ["GET", "/guilds/:guild/members/:user", 200],
    ]);
    expect(seen.responses.every((r) => r.durationMs >= 0)).toBe(true);
    expect(seen.rateLimited).toEqual([{ route: "/guilds/:guild/roles", scope: "shared", retryAfterMs: 20 }]);
    expect(seen.retries).toEqual([
      { route: "/guilds/:guild/members/:user", reason: "http_502", attempt: 1 },
      { route: "/guilds/:guild/members/:user", reason: "http_502", attempt: 2 },
    ]);
    // One budget turn per attempt sent.
    expect(seen.waits).toHaveLength(seen.responses.length);
    expect(seen.waits.every((w) => w.ms >= 0)).toBe(true);
    // Never an id or a token.
    const text = JSON.stringify(seen);
    for (const secret of [demo.guildId, demo.users.alice, demo.application.botToken]) {
      expect(text).not.toContain(secret);
    }
  });

  it("reports a webhook post by its template, never the webhook's token, and a dropped connection as status 0", async () => {
    world = await startWorld();
    const { sim, demo } = world;
    const { seen, observer } = recorder();
    const discord = world.client({ observer, retries: 0 });
    await discord.executeWebhook({
      webhookId: demo.webhook.id,
      webhookToken: demo.webhook.token,
      body: { content: "hello" },
    });
    sim.faults.set({ route: "execute_webhook", dropRate: 1 });
    await expect(
      discord.executeWebhook({
        webhookId: demo.webhook.id,
        webhookToken: demo.webhook.token,
        body: { content: "x" },
      }),
    ).rejects.toThrow();
    expect(seen.responses.map((r) => [r.method, r.route, r.status])).toEqual([
      ["POST", "/webhooks/:webhook/:token", 200],
      ["POST", "/webhooks/:webhook/:token", 0],
    ]);
    expect(JSON.stringify(seen)).not.toContain(demo.webhook.token);
  });

  it("an observer that throws never breaks a request", async () => {
    world = await startWorld();
    const boom = () => {
      throw new Error("observer failed");
    };
    const discord = world.client({
      observer: { onResponse: boom, onBudgetWait: boom, onRetry: boom, onRateLimited: boom },
    });
    world.sim.faults.set({ route: "guild_roles", force429: { count: 1, retryAfterMs: 10 } });
    const roles = await discord.getGuildRoles({ guildId: world.demo.guildId });
    expect(roles.length).toBeGreaterThan(0);
  });
});
