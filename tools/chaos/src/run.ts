import { writeFileSync } from "node:fs";
import { type AppTarget, type ChaosApp, createServerApp, createWorkerApp, newSecret } from "./apps";
import { createRunCleanup, type RunCleanup } from "./cleanup";
import { type FaultKind, type FaultRecord, runFaults, timeToReady } from "./faults";
import { createRandom } from "./prng";
import { startOwnRedis } from "./redis-server";
import { type EndState, endState, webhookState, wrongRoleDetails, wrongRoles } from "./verify";
import { loginOnce, runWorkload } from "./workload";
import { createChaosWorld } from "./world";

/** Options of one chaos run (`pnpm chaos -- --minutes 2`). */
export interface ChaosOptions {
  minutes: number;
  seed: number;
  workers: number;
  servers: number;
  members: number;
  events: number;
  webhooks: number;
  changesPerSecond: number;
  /** The workers' shared Discord budget (requests per second). */
  discordRps: number;
  log: (line: string) => void;
  /** The fault kinds to inject (default all). */
  faults?: readonly FaultKind[];
  /** Where every line the apps wrote goes at the end (for a failed run), or nothing. */
  appLog?: string;
  /** How long the end state may take to settle after the faults (default max(120 s, the phase)). */
  settleMs?: number;
  /** More environment for the workers (the CI profile's retry settings). */
  workerEnv?: Record<string, string>;
  /** The run's teardown (the CLI runs it on SIGINT/SIGTERM too); one of its own by default. */
  cleanup?: RunCleanup;
}

/** The final JSON line. */
export interface ChaosReport
  extends Omit<EndState, "wrongRoles" | "maxRpsAnySecond" | "intoExhaustedBucket"> {
  chaos: true;
  seed: number;
  minutes: number;
  wrong_roles: number;
  max_rps_any_second: number;
  budget_rps: number;
  into_exhausted_bucket: number;
  recover_s: Partial<Record<FaultKind, number | null>>;
  faults: number;
  settled_s: number | null;
  work: {
    entitlement_changes: number;
    events: number;
    logins_ok: number;
    logins_failed: number;
    final_login: boolean;
  };
  passed: boolean;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function waitUntilSettled(
  world: Awaited<ReturnType<typeof createChaosWorld>>,
  timeoutMs: number,
  log: (line: string) => void,
) {
  const started = Date.now();
  let lastLog = started;
  while (Date.now() - started < timeoutMs) {
    const [wrong, hooks] = await Promise.all([wrongRoles(world), webhookState(world)]).catch(
      () => [1, null] as const,
    );
    if (wrong === 0 && hooks && hooks.pending === 0 && hooks.delivered + hooks.dead >= hooks.written) {
      return Math.round((Date.now() - started) / 100) / 10;
    }
    if (Date.now() - lastLog > 10_000) {
      lastLog = Date.now();
      log(`settling: ${wrong} wrong roles; webhooks ${JSON.stringify(hooks)}`);
    }
    await sleep(1000);
  }
  return null;
}

/** Starts everything, drives work under faults for `minutes`, lets it settle, and checks the end state. */
export async function runChaos(options: ChaosOptions): Promise<ChaosReport> {
  const cleanup = options.cleanup ?? createRunCleanup();
  try {
    return await runWithin(options, cleanup);
  } finally {
    await cleanup.run();
  }
}

async function runWithin(options: ChaosOptions, cleanup: RunCleanup): Promise<ChaosReport> {
  const { log } = options;
  const random = createRandom(options.seed);
  const apps: ChaosApp[] = [];
  // Whatever ends the run, the cleanup steps (last added first): SIGKILL the apps (a normal end has
  // stopped them with SIGTERM already), drop the cluster, stop Redis. The watchdog knows the pids
  // and the cluster meanwhile.
  const redis = await startOwnRedis();
  cleanup.add(() => redis.close());
  const recordPids = () =>
    cleanup.record((l) => {
      l.pids = [redis.pid(), ...apps.map((a) => a.pid())].filter((p): p is number => p !== null);
    });
  recordPids();
  const pidTimer = setInterval(recordPids, 500);
  pidTimer.unref();
  cleanup.add(async () => clearInterval(pidTimer));
  const adminToken = newSecret();
  const stateKey = newSecret();
  // Server ports first: the application's redirect URIs name them.
  const partialTarget: Partial<AppTarget> = {
    discordRps: options.discordRps,
    redisUrl: redis.url,
    workerEnv: {
      // While Redis is stopped every worker falls back at once, unsynchronised: each may start
      // ⌈fallback⌉ in one second, so whole requests per second per worker keep the sum in budget.
      DISCORD_FALLBACK_RPS: String(fallbackRps(options.discordRps, options.workers)),
      ...options.workerEnv,
    },
  };
  const target = partialTarget as AppTarget;
  const servers: ChaosApp[] = [];
  for (let i = 0; i < options.servers; i++)
    servers.push(await createServerApp(target, i, adminToken, stateKey));
  const redirectUris = servers.flatMap((s) => [
    `${s.baseUrl}/discord/callback`,
    `${s.baseUrl}/login/discord/callback`,
  ]);
  log(`seeding ${options.members} members and ${options.webhooks} webhooks`);
  const world = await createChaosWorld(
    { members: options.members, webhooks: options.webhooks },
    options.seed,
    redirectUris,
    (cluster) => cleanup.record((l) => (l.cluster = { version: cluster.version, name: cluster.name })),
  );
  cleanup.add(() => world.close());
  cleanup.add(async () => {
    await Promise.all(apps.map((a) => a.kill("SIGKILL")));
  });
  Object.assign(target, {
    databaseUrl: world.cluster.url,
    secretKey: world.secretKey,
    discord: {
      apiBaseUrl: world.sim.apiBaseUrl,
      cdnBaseUrl: world.sim.cdnBaseUrl,
      authorizeUrl: world.sim.authorizeUrl,
      pluralkitBaseUrl: world.sim.pluralkitBaseUrl,
    },
  });
  const workers: ChaosApp[] = [];
  for (let i = 0; i < options.workers; i++) {
    // The last worker's clock runs 30 s ahead: leases and timers must not trust one process's clock.
    workers.push(await createWorkerApp(target, i, { clockSkewMs: i === options.workers - 1 ? 30_000 : 0 }));
  }
  apps.push(...servers, ...workers);
  try {
    for (const app of apps) app.start();
    if ((await timeToReady(apps, Date.now(), 90_000)) === null) {
      throw new Error(
        `the apps did not become ready:\n${apps.map((a) => a.lines.slice(-5).join("\n")).join("\n")}`,
      );
    }
    log(`${servers.length} servers and ${workers.length} workers ready; faults for ${options.minutes} min`);
    const phaseMs = options.minutes * 60_000;
    const stop = new AbortController();
    const timer = setTimeout(() => stop.abort(), phaseMs);
    const work = runWorkload({
      world,
      servers,
      random,
      stop: stop.signal,
      changesPerSecond: options.changesPerSecond,
      eventsTotal: options.events,
      durationMs: phaseMs * 0.8,
      loginEveryMs: 2_000,
    });
    const faults: FaultRecord[] = await runFaults({
      world,
      redis,
      apps,
      workers,
      random,
      phaseMs,
      stop: stop.signal,
      log,
      kinds: options.faults,
    });
    clearTimeout(timer);
    await work.done;
    for (const app of apps) if (!app.alive()) app.start();
    log("faults over; waiting for the end state to settle");
    const settled = await waitUntilSettled(world, options.settleMs ?? Math.max(120_000, phaseMs), log);
    const finalLogin = await loginOnce(world, servers[0]!);
    const end = await endState(world, apps, options.discordRps);
    const recover: Partial<Record<FaultKind, number | null>> = {};
    for (const f of faults) {
      const prev = recover[f.kind];
      recover[f.kind] = f.recoverS === null || prev === null ? null : Math.max(prev ?? 0, f.recoverS);
    }
    const { wrongRoles: wrong, maxRpsAnySecond, intoExhaustedBucket, ...rest } = end;
    if (wrong > 0) for (const line of await wrongRoleDetails(world)) log(`wrong role: ${line}`);
    const report: ChaosReport = {
      chaos: true,
      seed: options.seed,
      minutes: options.minutes,
      ...rest,
      wrong_roles: wrong,
      max_rps_any_second: maxRpsAnySecond,
      budget_rps: options.discordRps,
      into_exhausted_bucket: intoExhaustedBucket,
      recover_s: recover,
      faults: faults.length,
      settled_s: settled,
      work: {
        entitlement_changes: work.tally.entitlementChanges,
        events: work.tally.events,
        logins_ok: work.tally.logins.ok,
        logins_failed: work.tally.logins.failed,
        final_login: finalLogin,
      },
      passed: false,
    };
    report.passed =
      report.lost === 0 &&
      report.wrong_roles === 0 &&
      report.max_rps_any_second <= options.discordRps &&
      report.crashes === 0 &&
      report.outOfOrder === 0 &&
      finalLogin &&
      Object.values(recover).every((s) => s !== null);
    return report;
  } finally {
    await Promise.all(apps.map((a) => a.kill("SIGTERM")));
    if (options.appLog) writeFileSync(options.appLog, apps.flatMap((a) => a.lines).join("\n"));
  }
}

/**
 * Each worker's budget while Redis is stopped: whole requests per second, so that the workers'
 * starts, however they align, stay within `rps` in every second.
 */
export function fallbackRps(rps: number, workers: number): number {
  const each = Math.floor(rps / workers);
  if (each < 1) {
    throw new RangeError(
      `--discord-rps ${rps} is below --workers ${workers}: with Redis stopped each worker keeps a budget of its own of at least 1 request per second`,
    );
  }
  return each;
}
