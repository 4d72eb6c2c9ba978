import {
  type DemoSeed,
  type DiscordSim,
  type DiscordSimOptions,
  seedDemo,
  startDiscordSim,
} from "@guildkit/discord-sim";
import { createDiscordRest, type DiscordRest, type DiscordRestOptions } from "../src";

/** The most timestamps that fall in any half-open window [t, t + 1000). */
export function maxStartsPerSecond(times: number[]): number {
  const sorted = [...times].sort((a, b) => a - b);
  let best = 0;
  let left = 0;
  for (let right = 0; right < sorted.length; right++) {
    while (sorted[right]! - sorted[left]! >= 1000) left++;
    best = Math.max(best, right - left + 1);
  }
  return best;
}

/** A simulator seeded with the demo world, and a client pointed at it. */
export async function startWorld(simOptions: DiscordSimOptions = {}): Promise<{
  sim: DiscordSim;
  demo: DemoSeed;
  client(options?: Partial<DiscordRestOptions>): DiscordRest;
  close(): Promise<void>;
}> {
  const sim = await startDiscordSim(simOptions);
  const demo = seedDemo(sim);
  const clients: DiscordRest[] = [];
  return {
    sim,
    demo,
    client(options = {}) {
      const client = createDiscordRest({
        token: demo.application.botToken,
        apiBaseUrl: sim.apiBaseUrl,
        cdnBaseUrl: sim.cdnBaseUrl,
        rps: 50,
        ...options,
      });
      clients.push(client);
      return client;
    },
    async close() {
      await Promise.all(clients.map((c) => c.close()));
      await sim.close();
    },
  };
}
