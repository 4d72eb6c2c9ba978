import { createConfigLoader } from "@guildkit/config";
import { systemClock, systemScheduler } from "@guildkit/core/system";
import {
  createBottleneckLimiter,
  createDiscordRest,
  createEventLogReporter,
  createRedisInvalidRequestLedger,
  createRoleGateway,
  type DiscordRest,
  type ReporterProcessLog,
} from "@guildkit/discord-rest";
import {
  type Clock,
  createRoleReconciler,
  createRoleSyncLoop,
  createRoleSyncSettingsSource,
  DEFAULT_BACKOFF,
  type EventLog,
  linkedRolesConfigSpec,
  type ReconcilerOptions,
  type RoleDeliveryMode,
  type RoleReconciler,
  type RoleSyncLoop,
  type RoleSyncLoopDeps,
  type RoleSyncLoopOptions,
  type RunSummary,
  ruleColumns,
  type Scheduler,
  type SettingsLoad,
  type SyncState,
  usesBotRoles,
} from "@guildkit/role-reconciler";
import { Gauge, type Registry } from "prom-client";
import type { WorkerTask } from "./context";
import { createDiscordMetrics } from "./metrics-discord";
import { meterRoleSyncRounds } from "./metrics-role-sync";
import type { WorkerStore } from "./store";
import { createRoundRecorder } from "./task-status";

/** The process log, as role sync writes to it (a pino logger is one): the reporter's, plus `error`. */
export interface ProcessLog extends ReporterProcessLog {
  error(fields: Record<string, unknown>, message: string): void;
}

/**
 * An event log that also writes its error-level entries to the process log — permanent failures
 * (`role.permanent_error`: once per role/guild block, once per member entering the state), failed
 * rounds — except the per-call `discord.api_error` lines.
 */
function mirrorErrors(eventLog: EventLog, log: ProcessLog | undefined): EventLog {
  if (!log) return eventLog;
  return {
    async append(entry, io) {
      if (entry.level === "error" && entry.kind !== "discord.api_error") {
        log.error(
          {
            kind: entry.kind,
            memberId: entry.memberId,
            discordUserId: entry.discordUserId,
            data: entry.data,
          },
          entry.message,
        );
      }
      await eventLog.append(entry, io);
    },
  };
}

/**
 * Registers the role-sync gauges on a Prometheus registry: `guildkit_role_sync_blocks{scope}` (the
 * permanent-failure blocks this worker holds: no call for that role/guild until its probe) and
 * `guildkit_role_sync_members{state}` (members per recorded state; `permanent_error` is always
 * present, so an alert can watch it). Registering again (a restarted task) replaces the gauges, so
 * they read from the newest reconciler.
 */
export function registerRoleSyncMetrics(
  registry: Registry,
  sources: {
    reconciler: Pick<RoleReconciler, "blocks">;
    store: { countByState(io?: { signal?: AbortSignal }): Promise<Partial<Record<SyncState, number>>> };
  },
): void {
  for (const name of ["guildkit_role_sync_blocks", "guildkit_role_sync_members"]) {
    registry.removeSingleMetric(name);
  }
  new Gauge({
    name: "guildkit_role_sync_blocks",
    help: "Permanent-failure blocks held by this worker, by scope (role, guild, bulk); see role.permanent_error in the event log",
    labelNames: ["scope"],
    registers: [registry],
    collect() {
      const counts: Record<string, number> = { role: 0, guild: 0, bulk: 0 };
      for (const block of sources.reconciler.blocks())
        counts[block.scope.kind] = (counts[block.scope.kind] ?? 0) + 1;
      for (const [scope, n] of Object.entries(counts)) this.set({ scope }, n);
    },
  });
  new Gauge({
    name: "guildkit_role_sync_members",
    help: "Members by recorded role-sync state (permanent_error: Discord refused for a reason retrying cannot fix)",
    labelNames: ["state"],
    registers: [registry],
    async collect() {
      // The database away: keep the last values rather than fail the whole scrape.
      const read = await sources.store.countByState().catch(() => null);
      if (read === null) return;
      const counts = { permanent_error: 0, ...read };
      this.reset();
      for (const [state, n] of Object.entries(counts)) this.set({ state }, n);
    },
  });
}

/** Options of the role-sync wiring; every field has a default. */
export interface RoleSyncOptions {
  /** Entitlement rules as data (`entitlementRulesSchema`); default: non-empty `payment_status` → the configured roles. */
  rules?: unknown;
  /** Discord request budget per second, shared by every worker on one Redis (default 3, the seed's budget). */
  rps?: number;
  /** Per worker while Redis does not answer (default 1; keep ⌈fallbackRps⌉ × workers ≤ `rps`). */
  fallbackRps?: number;
  /** Tuning of the reconciler (lease, batch sizes, backoff…). */
  reconciler?: Partial<ReconcilerOptions>;
  /** Tuning of the loop (poll interval…). */
  loop?: Partial<RoleSyncLoopOptions>;
  /** Options passed to every Discord client (e.g. `retries`, `timeoutMs`). */
  rest?: { retries?: number; timeoutMs?: number; maxRateLimitWaitMs?: number };
}

/** What the role-sync wiring needs from the process. */
export interface RoleSyncDeps {
  store: Pick<WorkerStore, "roleSync" | "eventLog" | "configStore">;
  discordApiBaseUrl: string;
  discordCdnBaseUrl: string;
  /** Share the Discord budget between workers through Redis (bottleneck clustering). */
  redisUrl?: string | null;
  /** Lease owner. */
  owner: string;
  clock?: Clock;
  scheduler?: Scheduler;
  /** Where "idle"/"ready" go (the process log). */
  onStatus?: (status: { state: "idle"; missing: string[] } | { state: "ready" }) => void;
  /** The process log: gets the Discord client's retries (aggregated) and permanent failures. */
  log?: ProcessLog;
  /** Told after each round of the loop, with its summary (roles added and removed, errors…). */
  onRound?: RoleSyncLoopDeps["onRound"];
  /** Where the Discord client's and the rounds' metrics go (`metrics-discord.ts`, `metrics-role-sync.ts`); none by default. */
  metrics?: Registry;
}

/** The assembled role sync: reconciler, loop, settings loader. */
export interface RoleSync {
  reconciler: RoleReconciler;
  loop: RoleSyncLoop;
  loadSettings(io?: { signal?: AbortSignal }): Promise<SettingsLoad>;
  /** Writes the Discord retry counts held back, and closes the Discord client. */
  close(): Promise<void>;
}

/**
 * Wires the role reconciler to a store and Discord: settings come from
 * `createRoleSyncSettingsSource` on every round (bot token, guild, roles, rules, sync interval — a
 * change needs no restart), the Discord client is rebuilt when the bot token changes, and the
 * member triggers are told which rule columns to watch.
 */
export function createRoleSync(deps: RoleSyncDeps, options: RoleSyncOptions = {}): RoleSync {
  const clock = deps.clock ?? systemClock;
  const scheduler = deps.scheduler ?? systemScheduler;
  // Which settings are required, and how they become the run's settings, is role-reconciler's rule.
  const settingsSource = createRoleSyncSettingsSource({
    configStore: deps.store.configStore,
    rules: options.rules,
  });
  let client: { token: string; rest: DiscordRest } | null = null;
  const { roleSync } = deps.store;
  const eventLog = mirrorErrors(deps.store.eventLog, deps.log);
  // The Discord client's own retries (429s waited out, 5xx/timeouts retried), aggregated per window.
  const clientEvents = createEventLogReporter({ eventLog: deps.store.eventLog, clock, log: deps.log });

  // The shared budget's Redis errors go to the process log, at most one line per 10 s.
  let lastBudgetError = Number.NEGATIVE_INFINITY;
  function budgetError(error: unknown): void {
    const at = clock.now().getTime();
    if (at - lastBudgetError < 10_000) return;
    lastBudgetError = at;
    deps.log?.warn(
      { err: error instanceof Error ? error.message : String(error) },
      "Discord budget: Redis error (while Redis is away each worker sends on a budget of its own)",
    );
  }

  const discordMetrics = deps.metrics ? createDiscordMetrics(deps.metrics, "role_sync") : null;

  function restFor(token: string): DiscordRest {
    if (client?.token === token) return client.rest;
    const old = client;
    const limiter = createBottleneckLimiter({
      rps: options.rps ?? 3,
      ...(deps.redisUrl
        ? {
            redis: {
              url: deps.redisUrl,
              id: "guildkit-discord-bot",
              ...(options.fallbackRps ? { fallbackRps: options.fallbackRps } : {}),
            },
          }
        : {}),
      onError: budgetError,
    });
    client = {
      token,
      rest: createDiscordRest({
        token,
        apiBaseUrl: deps.discordApiBaseUrl,
        cdnBaseUrl: deps.discordCdnBaseUrl,
        limiter,
        logger: clientEvents.logger,
        // Discord bans the IP, not the process: with Redis every worker counts invalid requests together.
        ...(deps.redisUrl
          ? { banGuard: { ledger: createRedisInvalidRequestLedger({ url: deps.redisUrl }) } }
          : {}),
        ...(discordMetrics ? { observer: discordMetrics.observer } : {}),
        ...options.rest,
      }),
    };
    discordMetrics?.track(client.rest);
    void old?.rest.close();
    return client.rest;
  }

  const delivery = createConfigLoader({ store: deps.store.configStore, spec: linkedRolesConfigSpec });

  async function loadSettings(io?: { signal?: AbortSignal }): Promise<SettingsLoad> {
    // With `linked_roles.mode` = `linked_roles`, the guild's roles come from Linked Roles alone: idle.
    if (!usesBotRoles((await delivery.load(io)).mode as RoleDeliveryMode))
      return { status: "incomplete", missing: ["bot roles (off: linked_roles.mode is linked_roles)"] };
    const loaded = await settingsSource.load(io);
    if (loaded.status === "incomplete") return loaded;
    await roleSync.watchColumns({ columns: ruleColumns(loaded.settings.rules) }, io);
    return {
      status: "ready",
      settings: loaded.settings,
      gateway: createRoleGateway(restFor(loaded.botToken)),
    };
  }

  const reconciler = createRoleReconciler({
    queue: roleSync.queue,
    ledger: roleSync.ledger,
    members: roleSync.linkedMembers,
    profiles: roleSync.profiles,
    eventLog,
    clock,
    scheduler,
    owner: deps.owner,
    options: options.reconciler,
  });
  const loop = createRoleSyncLoop({
    reconciler: deps.metrics ? meterRoleSyncRounds(reconciler, deps.metrics, clock) : reconciler,
    queue: roleSync.queue,
    loadSettings,
    clock,
    scheduler,
    eventLog,
    onStatus: deps.onStatus,
    onRound: deps.onRound,
    options: { pollMs: 2_000, ...options.loop },
  });
  return {
    reconciler,
    loop,
    loadSettings,
    async close() {
      await clientEvents.close();
      await client?.rest.close();
      client = null;
    },
  };
}

/** `ROLE_SYNC_RETRY_BASE_MS` as reconciler options: the default backoff with another first wait. */
export function roleSyncTuning(retries: { roleSyncBaseMs: number | null }): RoleSyncOptions {
  if (retries.roleSyncBaseMs === null) return {};
  return { reconciler: { backoff: { ...DEFAULT_BACKOFF, baseMs: retries.roleSyncBaseMs } } };
}

/**
 * The worker task: runs the role-sync loop until SIGTERM, then finishes the member in hand (or
 * releases its lease) and returns. Its gauges go to the worker's metrics registry.
 */
export const roleSyncTask: WorkerTask = {
  name: "role-sync",
  async run(ctx, signal) {
    const rounds = createRoundRecorder({
      store: ctx.store.taskStatus,
      task: "role-sync",
      worker: ctx.workerId,
      clock: ctx.clock ?? systemClock,
      log: ctx.logger,
    });
    const sync = createRoleSync(
      {
        store: ctx.store,
        ...(ctx.clock ? { clock: ctx.clock } : {}),
        discordApiBaseUrl: ctx.settings.discordApiBaseUrl,
        discordCdnBaseUrl: ctx.settings.discordCdnBaseUrl,
        redisUrl: ctx.settings.redisUrl,
        owner: ctx.workerId,
        log: ctx.logger,
        metrics: ctx.metrics,
        onRound: (summary) => rounds.round(roundStatus(summary), summary.claimed > 0),
        onStatus: (status) =>
          status.state === "idle"
            ? ctx.logger.warn({ missing: status.missing }, "role sync idle: settings incomplete")
            : ctx.logger.info("role sync settings complete; syncing"),
      },
      {
        ...roleSyncTuning(ctx.settings.retries),
        ...(ctx.settings.budget.discordRps ? { rps: ctx.settings.budget.discordRps } : {}),
        ...(ctx.settings.budget.discordFallbackRps
          ? { fallbackRps: ctx.settings.budget.discordFallbackRps }
          : {}),
      },
    );
    registerRoleSyncMetrics(ctx.metrics, { reconciler: sync.reconciler, store: ctx.store.roleSync });
    try {
      await sync.loop.run({ stop: signal });
    } finally {
      await rounds.flush();
      await sync.close();
    }
  },
};

/** What `task_status` keeps of a role-sync round: its counters (no member id, no Discord id). */
export function roundStatus(summary: RunSummary): Record<string, unknown> {
  const { decision: _decision, blockedUntil, ...counters } = summary;
  return { ...counters, blockedUntil: blockedUntil?.toISOString() ?? null };
}
