/**
 * The short chaos run of the test command (`pnpm chaos` runs the long one): one server and two
 * workers on a PostgreSQL cluster and a Redis of their own, under every fault kind for two minutes.
 */
import { checkScratchClusters } from "@guildkit/store-testkit";
import { describe, expect, it } from "vitest";
import { runChaos } from "../src";

const clusters = await checkScratchClusters();

describe.skipIf(!clusters.available)("pnpm chaos, short", () => {
  it(
    "loses no webhook event, leaves no wrong role, keeps the shared budget and recovers from every fault",
    async () => {
      const report = await runChaos({
        minutes: 2,
        seed: 7,
        workers: 2,
        servers: 1,
        members: 500,
        events: 400,
        webhooks: 5,
        changesPerSecond: 1,
        discordRps: 3,
        log: (line) => console.log(`[chaos] ${line}`),
      });
      console.log(JSON.stringify(report));
      expect(report).toMatchObject({
        lost: 0,
        wrong_roles: 0,
        crashes: 0,
        outOfOrder: 0,
        into_exhausted_bucket: 0,
      });
      expect(report.max_rps_any_second).toBeLessThanOrEqual(report.budget_rps);
      expect(report.work.final_login).toBe(true);
      expect(Object.values(report.recover_s).every((s) => s !== null)).toBe(true);
      expect(report.faults).toBeGreaterThanOrEqual(5);
      expect(report.passed).toBe(true);
    },
    10 * 60_000,
  );
});
