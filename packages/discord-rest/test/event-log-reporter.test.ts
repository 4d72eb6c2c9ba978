import type { EventLogEntry } from "@guildkit/core";
import { afterEach, describe, expect, it } from "vitest";
import { createEventLogReporter } from "../src";
import { startWorld } from "./helpers";

let world: Awaited<ReturnType<typeof startWorld>> | null = null;
afterEach(async () => {
  await world?.close();
  world = null;
});

function reporter() {
  const written: EventLogEntry[] = [];
  const events = createEventLogReporter({
    eventLog: {
      async append(entry) {
        written.push(entry);
      },
    },
  });
  return { events, written };
}

describe("the event-log reporter on a real client", () => {
  it("puts every 429 the client waited out in the event log, aggregated, by route template and without the token", async () => {
    world = await startWorld();
    const { sim, demo } = world;
    sim.faults.set({ route: "guild_roles", force429: { count: 4, retryAfterMs: 20 } });
    const { events, written } = reporter();
    await world.client({ logger: events.logger }).getGuildRoles({ guildId: demo.guildId });
    await events.flush({ all: true });
    expect(written.map((e) => [e.kind, e.data?.count, e.data?.collapsed])).toEqual([
      ["discord.rate_limited", 1, undefined],
      ["discord.rate_limited", 3, true],
    ]);
    expect(written[0]?.data).toMatchObject({ route: "GET /guilds/:guild/roles", status: 429 });
    expect(JSON.stringify(written)).not.toContain(demo.application.botToken);
  });

  it("puts the 5xx answers the client retried in the event log with their status", async () => {
    world = await startWorld();
    const { sim, demo } = world;
    sim.faults.set({ route: "guild_roles", errorRate: 1, errorStatuses: [502] });
    const { events, written } = reporter();
    const failed = await world
      .client({ logger: events.logger, retries: 2, random: () => 0 })
      .getGuildRoles({ guildId: demo.guildId })
      .catch((error: unknown) => error);
    expect(failed).toMatchObject({ status: 502 });
    await events.flush({ all: true });
    expect(written.map((e) => [e.kind, e.data?.route, e.data?.status, e.data?.count])).toEqual([
      ["discord.retry", "GET /guilds/:guild/roles", 502, 1],
      ["discord.retry", "GET /guilds/:guild/roles", 502, 1],
    ]);
  });
});
