/**
 * bench:rest — how close the Discord client runs to its request budget, and that the budget (not
 * Discord's limits) is what bounds it.
 *
 * Starts the simulator in-process with Discord's real limits (50 requests/s global, route buckets
 * as Discord announces them), seeds members in 10 guilds, and sends N `GET /guilds/:guild/members/:user`
 * requests, all queued at once:
 *   1. baseline: the limiter at the simulator's own global limit (50 rps);
 *   2. the default client (3 rps).
 * Prints human lines, then one JSON line.
 *
 * Usage: pnpm bench:rest [-- --requests 150]
 */

import { createBottleneckLimiter, createDiscordRest, type RateLimiter } from "@guildkit/discord-rest";
import { startDiscordSim } from "@guildkit/discord-sim";

const DEFAULT_BUDGET_RPS = 3;
const BASELINE_RPS = 50;
const GUILDS = 10;

function argument(name: string, fallback: number): number {
  const index = process.argv.indexOf(`--${name}`);
  const value = index >= 0 ? Number(process.argv[index + 1]) : Number.NaN;
  return Number.isFinite(value) && value > 0 ? Math.floor(value) : fallback;
}

/** The most timestamps in any half-open window [t, t + 1000). */
function maxPerSecond(times: number[]): number {
  const sorted = [...times].sort((a, b) => a - b);
  let best = 0;
  let left = 0;
  for (let right = 0; right < sorted.length; right++) {
    while (sorted[right]! - sorted[left]! >= 1000) left++;
    best = Math.max(best, right - left + 1);
  }
  return best;
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

/** Wraps a limiter to time each HTTP attempt it runs (the round trip, without the queue wait). */
function timed(inner: RateLimiter, durations: number[]): RateLimiter {
  return {
    schedule: (fn, opts) =>
      inner.schedule(async () => {
        const started = performance.now();
        try {
          return await fn();
        } finally {
          durations.push(performance.now() - started);
        }
      }, opts),
    close: () => inner.close?.() ?? Promise.resolve(),
  };
}

interface RunResult {
  budget_rps: number;
  requests: number;
  wall_s: number;
  achieved_rps: number;
  ratio: number;
  max_starts_per_second: number;
  http_429: number;
  bucket_429: number;
  p50_ms: number;
  p95_ms: number;
}

async function run(label: string, rps: number, requests: number): Promise<RunResult> {
  const sim = await startDiscordSim();
  try {
    const app = sim.seed.application({});
    const targets: { guildId: string; userId: string }[] = [];
    const perGuild = Math.ceil(requests / GUILDS);
    const guilds = Array.from({ length: GUILDS }, (_, g) => {
      const guild = sim.seed.guild({ name: `bench ${g}` });
      const members = sim.seed.members({
        guildId: guild.id,
        count: perGuild,
        idStart: BigInt(1_400_000_000_000_000_000n) + BigInt(g * 10_000),
      });
      return { guildId: guild.id, members };
    });
    for (let i = 0; targets.length < requests; i++) {
      const guild = guilds[i % GUILDS]!;
      const member = guild.members[Math.floor(i / GUILDS) % guild.members.length]!;
      targets.push({ guildId: guild.guildId, userId: member.userId });
    }
    const durations: number[] = [];
    const limiter = timed(createBottleneckLimiter({ rps }), durations);
    const rest = createDiscordRest({
      token: app.botToken,
      apiBaseUrl: sim.apiBaseUrl,
      cdnBaseUrl: sim.cdnBaseUrl,
      limiter,
    });
    const started = performance.now();
    const results = await Promise.all(targets.map((t) => rest.getGuildMember(t)));
    const wall = (performance.now() - started) / 1000;
    await rest.close();
    await limiter.close?.();

    const missing = results.filter((m) => m === null).length;
    if (missing > 0) throw new Error(`${missing} members were not found`);
    const log = sim.inspect.requests({ route: "get_member" });
    const starts = log.map((r) => r.at);
    const spanS = (Math.max(...starts) - Math.min(...starts)) / 1000;
    const achieved = spanS > 0 ? (starts.length - 1) / spanS : starts.length;
    const limited = log.filter((r) => r.status === 429);
    const result: RunResult = {
      budget_rps: rps,
      requests,
      wall_s: round(wall, 2),
      achieved_rps: round(achieved, 3),
      ratio: round(achieved / rps, 3),
      max_starts_per_second: maxPerSecond(starts),
      http_429: limited.length,
      bucket_429: limited.filter((r) => r.scope === "user" || r.scope === "shared").length,
      p50_ms: round(percentile(durations, 50), 2),
      p95_ms: round(percentile(durations, 95), 2),
    };
    console.log(
      `${label}: ${requests} requests at a ${rps} rps budget in ${result.wall_s} s → ` +
        `${result.achieved_rps} starts/s (${Math.round(result.ratio * 100)} % of budget), ` +
        `max ${result.max_starts_per_second} in any second, ${result.http_429} × 429 (${result.bucket_429} from buckets), ` +
        `HTTP p50 ${result.p50_ms} ms, p95 ${result.p95_ms} ms`,
    );
    return result;
  } finally {
    await sim.close();
  }
}

function round(value: number, digits: number): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}

const requests = argument("requests", 150);
console.log(
  `bench:rest — ${requests} × GET member over ${GUILDS} guilds, simulator with Discord's limits ` +
    `(50/s global, get_member 5/s per guild); all queued at once`,
);
const baseline = await run("baseline (limiter at the global limit)", BASELINE_RPS, requests);
const budget = await run("default client", DEFAULT_BUDGET_RPS, requests);
console.log(
  `the budget bounds the client: ${budget.achieved_rps} starts/s at ${DEFAULT_BUDGET_RPS} rps vs ` +
    `${baseline.achieved_rps} starts/s at ${BASELINE_RPS} rps, with the same requests and the same Discord`,
);
console.log(
  JSON.stringify({
    bench: "rest",
    budget_rps: budget.budget_rps,
    requests: budget.requests,
    achieved_rps: budget.achieved_rps,
    ratio: budget.ratio,
    max_starts_per_second: budget.max_starts_per_second,
    http_429: budget.http_429,
    bucket_429: budget.bucket_429,
    p50_ms: budget.p50_ms,
    p95_ms: budget.p95_ms,
    wall_s: budget.wall_s,
    baseline: {
      budget_rps: baseline.budget_rps,
      achieved_rps: baseline.achieved_rps,
      ratio: baseline.ratio,
      max_starts_per_second: baseline.max_starts_per_second,
      http_429: baseline.http_429,
      bucket_429: baseline.bucket_429,
      p50_ms: baseline.p50_ms,
      wall_s: baseline.wall_s,
    },
  }),
);
