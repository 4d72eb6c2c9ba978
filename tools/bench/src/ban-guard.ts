/**
 * bench:ban-guard — a 403 storm from 4 processes (a role above the bot's, retried by a broken host)
 * against the simulator, once with the ban guard off (the baseline: every call reaches Discord) and
 * once with the guard counting across the processes through Redis (default thresholds: slow from
 * 2,500, stop at 5,000). Discord bans the IP at 10,000 invalid requests in 10 minutes; the figure is
 * the invalid requests the simulator counted (`inspect.invalidRequests()`).
 *
 * Usage: pnpm bench:ban-guard [-- --calls 3000]   (calls per process; default 3,000 = 12,000 in all)
 */
import { spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { fileURLToPath } from "node:url";
import { seedDemo, startDiscordSim } from "@guildkit/discord-sim";

const PROCESSES = 4;
const index = process.argv.indexOf("--calls");
const calls = index >= 0 ? Math.max(1, Number(process.argv[index + 1]) || 3000) : 3000;
const redisUrl = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
const storm = fileURLToPath(new URL("./ban-guard-storm.ts", import.meta.url));

interface Seen {
  forbidden: number;
  refused: number;
  other: number;
}

function child(env: Record<string, string>): Promise<Seen> {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, ["--import", "tsx", storm], {
      env: { ...process.env, ...env },
      stdio: ["ignore", "pipe", "inherit"],
    });
    let out = "";
    proc.stdout.on("data", (chunk) => {
      out += chunk;
    });
    proc.on("error", reject);
    proc.on("exit", (code) =>
      code === 0
        ? resolve(JSON.parse(out.trim().split("\n").at(-1)!) as Seen)
        : reject(new Error(`storm exited ${code}`)),
    );
  });
}

async function run(guard: boolean) {
  const sim = await startDiscordSim({
    globalPerSecond: 10_000,
    routeLimits: { member_role: { limit: 10_000, windowMs: 1000 } },
  });
  try {
    const demo = seedDemo(sim);
    const high = sim.seed.role({ guildId: demo.guildId, name: "Above the bot", position: 90 });
    const env = {
      STORM_CALLS: String(calls),
      STORM_GUARD: guard ? "on" : "off",
      STORM_TOKEN: demo.application.botToken,
      STORM_API: sim.apiBaseUrl,
      STORM_GUILD: demo.guildId,
      STORM_USER: demo.users.alice,
      STORM_ROLE: high.id,
      STORM_KEY: `guildkit-bench:${randomUUID()}`,
      REDIS_URL: redisUrl,
    };
    const started = performance.now();
    const seen = await Promise.all(Array.from({ length: PROCESSES }, () => child(env)));
    const sum = (k: keyof Seen) => seen.reduce((n, s) => n + s[k], 0);
    return {
      invalid_at_discord: sim.inspect.invalidRequests(),
      refused_by_guard: sum("refused"),
      forbidden: sum("forbidden"),
      other: sum("other"),
      seconds: Math.round((performance.now() - started) / 100) / 10,
    };
  } finally {
    await sim.close();
  }
}

const baseline = await run(false);
const guarded = await run(true);
console.log(`${PROCESSES} processes × ${calls} refused role adds (${PROCESSES * calls} in all)`);
console.log(`  no guard:    ${baseline.invalid_at_discord} invalid requests reached Discord (ban at 10,000)`);
console.log(
  `  ban guard:   ${guarded.invalid_at_discord} reached Discord, ${guarded.refused_by_guard} refused by the guard (stop at 5,000)`,
);
console.log(
  JSON.stringify({
    bench: "ban-guard",
    processes: PROCESSES,
    calls: PROCESSES * calls,
    stop_at: 5000,
    baseline,
    guarded,
    stopped_by_5000: guarded.invalid_at_discord <= 5000,
  }),
);
