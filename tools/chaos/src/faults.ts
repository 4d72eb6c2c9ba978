import type { ChaosApp } from "./apps";
import type { createRandom } from "./prng";
import type { OwnRedis } from "./redis-server";
import type { ChaosWorld } from "./world";

type Random = ReturnType<typeof createRandom>;

/** The fault kinds a run injects; `recover_s` is reported per kind. */
export type FaultKind = "worker_kill" | "postgres_restart" | "redis_stop" | "discord_outage";

/** One fault as it happened. */
export interface FaultRecord {
  kind: FaultKind;
  at: number;
  /** When the fault was over (the process restarted, PostgreSQL or Redis back, the outage ended). */
  endedAt: number;
  /** Seconds from `endedAt` until every process was ready again (and, for Discord, a call succeeded). */
  recoverS: number | null;
}

const sleep = (ms: number, stop?: AbortSignal) =>
  new Promise<void>((resolve) => {
    const done = () => {
      clearTimeout(timer);
      stop?.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    stop?.addEventListener("abort", done, { once: true });
  });

/** Waits until every running app answers `/readyz` 200; seconds taken, or null after `timeoutMs`. */
export async function timeToReady(
  apps: ChaosApp[],
  since: number,
  timeoutMs = 60_000,
): Promise<number | null> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const states = await Promise.all(apps.map((a) => (a.alive() ? a.ready() : Promise.resolve(true))));
    if (states.every(Boolean)) return Math.round((Date.now() - since) / 100) / 10;
    if (Date.now() > deadline) return null;
    await sleep(100);
  }
}

async function discordBack(world: ChaosWorld, since: number, timeoutMs = 60_000): Promise<number | null> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ok = world.sim.inspect.requests({ since }).some((r) => r.status < 300 && !r.injected);
    if (ok) return Math.round((Date.now() - since) / 100) / 10;
    if (Date.now() > deadline) return null;
    await sleep(200);
  }
}

/** The background noise of the Discord side while faults run: 10 % 5xx and some dropped connections. */
export function discordNoise(world: ChaosWorld): void {
  world.sim.faults.set({ route: "*", errorRate: 0.1, dropRate: 0.02, errorStatuses: [500, 502, 503] });
}

/**
 * Runs the fault schedule until `stop`: a worker killed (SIGKILL) every 20–40 s and restarted 1–3 s
 * later; PostgreSQL restarted at 25 % and 55 % of the fault phase; Redis stopped at 40 % for 30 s
 * (at most 15 % of the phase); a full Discord outage (every connection dropped) at 70 % for 60 s
 * (same bound), with a latency spike now and then in between.
 */
export async function runFaults(opts: {
  world: ChaosWorld;
  redis: OwnRedis;
  apps: ChaosApp[];
  workers: ChaosApp[];
  random: Random;
  phaseMs: number;
  stop: AbortSignal;
  log: (line: string) => void;
}): Promise<FaultRecord[]> {
  const { world, redis, apps, workers, random, phaseMs, stop, log } = opts;
  const records: FaultRecord[] = [];
  const started = Date.now();
  const outageMs = Math.min(60_000, phaseMs * 0.15);
  const redisMs = Math.min(30_000, phaseMs * 0.15);
  const timed: { at: number; kind: FaultKind }[] = [
    { at: phaseMs * 0.25, kind: "postgres_restart" },
    { at: phaseMs * 0.4, kind: "redis_stop" },
    { at: phaseMs * 0.55, kind: "postgres_restart" },
    { at: phaseMs * 0.7, kind: "discord_outage" },
  ];
  let nextKill = random.between(20_000, 40_000);
  discordNoise(world);

  const inject = async (kind: FaultKind) => {
    const at = Date.now();
    log(`fault: ${kind} at ${Math.round((at - started) / 1000)} s (${new Date(at).toISOString()})`);
    if (kind === "postgres_restart") {
      await world.cluster.restart();
    } else if (kind === "redis_stop") {
      await redis.stop();
      await sleep(redisMs, stop);
      await redis.start();
    } else if (kind === "discord_outage") {
      world.sim.faults.set({ route: "*", dropRate: 1 });
      await sleep(outageMs, stop);
      discordNoise(world);
    } else {
      const victim = random.pick(workers);
      await victim.kill("SIGKILL");
      await sleep(random.between(1_000, 3_000), stop);
      victim.start();
    }
    const endedAt = Date.now();
    log(`fault over: ${kind} (${new Date(endedAt).toISOString()})`);
    const recoverS =
      kind === "discord_outage" ? await discordBack(world, endedAt) : await timeToReady(apps, endedAt);
    records.push({ kind, at, endedAt, recoverS });
  };

  while (!stop.aborted) {
    const elapsed = Date.now() - started;
    const due = timed.findIndex((t) => t.at <= elapsed);
    if (due >= 0) {
      const [fault] = timed.splice(due, 1);
      await inject(fault!.kind);
    } else if (elapsed >= nextKill) {
      await inject("worker_kill");
      nextKill = Date.now() - started + random.between(20_000, 40_000);
    } else if (random.next() < 0.02) {
      world.sim.faults.set({ route: "*", errorRate: 0.1, dropRate: 0.02, latencyMs: 1500 });
      await sleep(3_000, stop);
      discordNoise(world);
    }
    await sleep(250, stop);
  }
  world.sim.faults.clear();
  return records;
}
