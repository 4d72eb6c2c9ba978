import type { SimRouteKey } from "@guildkit/discord-sim";
import { afterEach, describe, expect, it } from "vitest";
import {
  DiscordAbortError,
  DiscordApiError,
  DiscordRateLimitError,
  type DiscordRestLogger,
  DiscordTimeoutError,
} from "../src";
import { startWorld } from "./helpers";

let world: Awaited<ReturnType<typeof startWorld>> | null = null;
afterEach(async () => {
  await world?.close();
  world = null;
});

/** A logger that runs `onRetry` the first time the client schedules a retry. */
function onFirstRetry(onRetry: () => void): DiscordRestLogger {
  let fired = false;
  return {
    debug(message) {
      if (message === "discord.retry" && !fired) {
        fired = true;
        onRetry();
      }
    },
    warn() {},
  };
}

const statuses = (route: SimRouteKey) => world!.sim.inspect.requests({ route }).map((r) => r.status);

describe("buckets announced by the server", () => {
  it("sends nothing into a bucket the simulator announced exhausted: zero 429s with buckets smaller than the budget", async () => {
    world = await startWorld({
      routeLimits: {
        get_member: { limit: 2, windowMs: 300 },
        member_role: { limit: 3, windowMs: 300 },
        execute_webhook: { limit: 2, windowMs: 300 },
      },
    });
    const { sim, demo } = world;
    const rest = world.client({ rps: 40 });
    const role = { guildId: demo.guildId, userId: demo.users.alice, roleId: demo.memberRoleId };
    const jobs = [
      ...Array.from({ length: 10 }, () =>
        rest.getGuildMember({ guildId: demo.guildId, userId: demo.users.alice }),
      ),
      ...Array.from({ length: 9 }, (_, i) =>
        i % 2 === 0 ? rest.addGuildMemberRole(role) : rest.removeGuildMemberRole(role),
      ),
      ...Array.from({ length: 6 }, (_, i) =>
        rest.executeWebhook({
          webhookId: demo.webhook.id,
          webhookToken: demo.webhook.token,
          body: { content: `${i}` },
        }),
      ),
    ];
    await Promise.all(jobs);
    for (const route of ["get_member", "member_role", "execute_webhook"] as const) {
      expect(statuses(route).filter((s) => s === 429)).toEqual([]);
    }
    expect(sim.inspect.rateLimited().total).toBe(0);
    expect(rest.stats().rateLimited.total).toBe(0);
    expect(rest.stats().bucketWaits).toBeGreaterThan(0);
    // Add and remove share one bucket: never more than 3 of them in one 300 ms window.
    const roleTimes = sim.inspect.requests({ route: "member_role" }).map((r) => r.at);
    expect(roleTimes).toHaveLength(9);
  });

  it("keeps separate guilds in separate buckets", async () => {
    world = await startWorld({ routeLimits: { guild_roles: { limit: 1, windowMs: 5000 } } });
    const { sim, demo } = world;
    const other = sim.seed.guild({ name: "other" });
    const rest = world.client();
    const started = Date.now();
    await rest.getGuildRoles({ guildId: demo.guildId });
    await rest.getGuildRoles({ guildId: other.id });
    expect(Date.now() - started).toBeLessThan(1000);
    expect(rest.stats().bucketWaits).toBe(0);
  });
});

describe("429s", () => {
  it("waits out a forced 429 storm and succeeds, without spending retries", async () => {
    world = await startWorld();
    const { sim, demo } = world;
    sim.faults.set({ route: "guild_roles", force429: { count: 4, retryAfterMs: 60 } });
    const rest = world.client({ retries: 0 });
    const roles = await rest.getGuildRoles({ guildId: demo.guildId });
    expect(roles.length).toBeGreaterThan(0);
    expect(statuses("guild_roles")).toEqual([429, 429, 429, 429, 200]);
    expect(rest.stats()).toMatchObject({ retries: 0, rateLimited: { total: 4, user: 4 } });
  });

  it("surfaces DiscordRateLimitError when the storm outlasts rateLimitRetries", async () => {
    world = await startWorld();
    const { sim, demo } = world;
    sim.faults.set({ route: "guild_roles", force429: { count: 10, retryAfterMs: 20 } });
    const error = await world
      .client({ rateLimitRetries: 2 })
      .getGuildRoles({ guildId: demo.guildId })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DiscordRateLimitError);
    expect(error).toMatchObject({
      status: 429,
      retryable: true,
      retryAfterMs: 20,
      route: "GET /guilds/:guild/roles",
    });
    expect(statuses("guild_roles")).toEqual([429, 429, 429]);
  });

  it("pauses every route after a global 429 until retry_after has passed", async () => {
    world = await startWorld();
    const { sim, demo } = world;
    sim.faults.set({ route: "*", force429: { count: 1, retryAfterMs: 400, global: true } });
    const rest = world.client();
    const first = rest.getGuildRoles({ guildId: demo.guildId });
    while (rest.stats().rateLimited.global === 0) await new Promise((r) => setTimeout(r, 5));
    const others = Promise.all([
      rest.getGuildMember({ guildId: demo.guildId, userId: demo.users.alice }),
      rest.getChannelWebhooks({ channelId: demo.channelId }),
      rest.executeWebhook({
        webhookId: demo.webhook.id,
        webhookToken: demo.webhook.token,
        body: { content: "x" },
      }),
    ]);
    await Promise.all([first, others]);
    const log = sim.inspect.requests();
    const limited = log.find((r) => r.status === 429);
    expect(limited?.scope).toBe("global");
    const after = log.filter((r) => r !== limited);
    expect(after).toHaveLength(4);
    for (const record of after) expect(record.at - limited!.at).toBeGreaterThanOrEqual(395);
    expect(rest.stats().globalPauseUntil).toBeNull();
  });
});

describe("retries", () => {
  it("retries a 5xx and succeeds", async () => {
    world = await startWorld();
    const { sim, demo } = world;
    sim.faults.set({ route: "guild_roles", errorRate: 1, errorStatuses: [502] });
    const rest = world.client({ logger: onFirstRetry(() => sim.faults.clear()) });
    await rest.getGuildRoles({ guildId: demo.guildId });
    expect(statuses("guild_roles")).toEqual([502, 200]);
    expect(rest.stats().retries).toBe(1);
  });

  it("gives up after `retries` 5xx answers with a retryable DiscordApiError", async () => {
    world = await startWorld();
    const { sim, demo } = world;
    sim.faults.set({ route: "guild_roles", errorRate: 1, errorStatuses: [503] });
    const error = await world
      .client({ retries: 2 })
      .getGuildRoles({ guildId: demo.guildId })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DiscordApiError);
    expect(error).toMatchObject({ status: 503, retryable: true });
    expect(statuses("guild_roles")).toEqual([503, 503, 503]);
  });

  it("retries a dropped connection and succeeds", async () => {
    world = await startWorld();
    const { sim, demo } = world;
    sim.faults.set({ route: "get_member", dropRate: 1 });
    const rest = world.client({ logger: onFirstRetry(() => sim.faults.clear()) });
    const member = await rest.getGuildMember({ guildId: demo.guildId, userId: demo.users.alice });
    expect(member?.user.id).toBe(demo.users.alice);
    expect(rest.stats()).toMatchObject({ networkErrors: 1, retries: 1 });
  });

  it("times out a slow answer, retries, and reports DiscordTimeoutError when every attempt is slow", async () => {
    world = await startWorld();
    const { sim, demo } = world;
    sim.faults.set({ route: "guild_roles", latencyMs: 300 });
    const started = Date.now();
    const error = await world
      .client({ timeoutMs: 80, retries: 1 })
      .getGuildRoles({ guildId: demo.guildId })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DiscordTimeoutError);
    expect(error).toMatchObject({ name: "TimeoutError", retryable: true, route: "GET /guilds/:guild/roles" });
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it("recovers when a timed-out request's retry is answered in time", async () => {
    world = await startWorld();
    const { sim, demo } = world;
    sim.faults.set({ route: "guild_roles", latencyMs: 300 });
    const rest = world.client({ timeoutMs: 80, logger: onFirstRetry(() => sim.faults.clear()) });
    await rest.getGuildRoles({ guildId: demo.guildId });
    expect(rest.stats()).toMatchObject({ timeouts: 1, retries: 1 });
  });
});

describe("AbortSignal", () => {
  it("aborts a request waiting for the request budget; it never reaches Discord", async () => {
    world = await startWorld();
    const { sim, demo } = world;
    const rest = world.client({ rps: 2 });
    const controller = new AbortController();
    const kept = [0, 1, 2].map(() => rest.getGuildRoles({ guildId: demo.guildId }));
    const aborted = rest
      .getGuildRoles({ guildId: demo.guildId, signal: controller.signal })
      .catch((e: unknown) => e);
    setTimeout(() => controller.abort(), 50);
    const started = Date.now();
    expect(await aborted).toBeInstanceOf(DiscordAbortError);
    expect(Date.now() - started).toBeLessThan(400);
    await Promise.all(kept);
    await new Promise((r) => setTimeout(r, 600));
    expect(sim.inspect.requests({ route: "guild_roles" })).toHaveLength(3);
  });

  it("aborts a request waiting for an exhausted bucket", async () => {
    world = await startWorld({ routeLimits: { guild_roles: { limit: 1, windowMs: 5000 } } });
    const { sim, demo } = world;
    const rest = world.client();
    await rest.getGuildRoles({ guildId: demo.guildId });
    const controller = new AbortController();
    const pending = rest
      .getGuildRoles({ guildId: demo.guildId, signal: controller.signal })
      .catch((e: unknown) => e);
    setTimeout(() => controller.abort(), 50);
    const started = Date.now();
    expect(await pending).toMatchObject({ name: "AbortError", retryable: false });
    expect(Date.now() - started).toBeLessThan(1000);
    expect(rest.stats().bucketWaits).toBe(1);
    expect(sim.inspect.requests({ route: "guild_roles" })).toHaveLength(1);
  });

  it("aborts a request in flight", async () => {
    world = await startWorld();
    const { sim, demo } = world;
    sim.faults.set({ route: "guild_roles", latencyMs: 2000 });
    const rest = world.client();
    const error = await rest
      .getGuildRoles({ guildId: demo.guildId, signal: AbortSignal.timeout(50) })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DiscordAbortError);
    expect(rest.stats().retries).toBe(0);
  });
});
