import { setTimeout as delay } from "node:timers/promises";
import { createConfigLoader, discordConfigSpec } from "@guildkit/config";
import {
  createBottleneckLimiter,
  createDiscordRest,
  createRoleGateway,
  type DiscordRest,
  type DiscordRestLogger,
} from "@guildkit/discord-rest";
import {
  type Clock,
  createRoleReconciler,
  createRoleSyncLoop,
  type EventLog,
  type EventLogEntry,
  type ReconcilerOptions,
  type RoleReconciler,
  type RoleSyncLoop,
  type RoleSyncLoopOptions,
  resolveRules,
  roleSyncConfigSpec,
  ruleColumns,
  type Scheduler,
  type SettingsLoad,
  type SyncState,
  syncIntervalMs,
} from "@guildkit/role-reconciler";
import type { AppStore } from "@guildkit/runtime";
import { Gauge, type Registry } from "prom-client";
import type { WorkerTask } from "./context";

/** The wall clock. */
export const systemClock: Clock = { now: () => new Date() };

/** Waits with real timers; resolves early (never rejects) when `signal` aborts. */
export const timerScheduler: Scheduler = {
  sleep: (ms, opts) =>
    delay(Math.max(0, ms), undefined, opts?.signal ? { signal: opts.signal } : undefined).then(
      () => undefined,
      () => undefined,
    ),
};

/** The process log, as role sync writes to it (a pino logger is one). */
export interface ProcessLog {
  warn(fields: Record<string, unknown>, message: string): void;
  error(fields: Record<string, unknown>, message: string): void;
}

/** What the Discord client retried on its own (it never throws these at the reconciler). */
const CLIENT_EVENTS = new Set(["discord.rate_limited", "discord.retry", "discord.invalid_requests"]);

/** Sends the Discord client's own retries to the event log; see {@link createDiscordEventSink}. */
export interface DiscordEventSink {
  /** The logger to hand to `createDiscordRest`. */
  logger: DiscordRestLogger;
  /** Writes the counts held back whose window has passed; `all`: every one (shutdown). */
  flush(opts?: { all?: boolean }): Promise<void>;
}

function pickNumber(value: unknown): number | null {
  return typeof value === "number" && Number.isFinite(value) ? value : null;
}

/** The fields kept of a client log line: route template, status, delays — never a token or URL. */
function clientEventData(kind: string, raw: Record<string, unknown> = {}): Record<string, unknown> {
  const reason = typeof raw.reason === "string" ? raw.reason : null;
  const http = reason ? /^http_(\d{3})$/.exec(reason) : null;
  return {
    route: typeof raw.route === "string" ? raw.route : null,
    status: kind === "discord.rate_limited" ? 429 : http ? Number(http[1]) : pickNumber(raw.status),
    retryAfterMs: pickNumber(raw.retryAfterMs) ?? pickNumber(raw.delayMs),
    ...(typeof raw.scope === "string" ? { scope: raw.scope } : {}),
    ...(reason && !http ? { reason } : {}),
    ...(pickNumber(raw.invalidRequestsLast10Min) !== null
      ? { invalidRequestsLast10Min: raw.invalidRequestsLast10Min }
      : {}),
  };
}

function clientEventMessage(kind: string, data: Record<string, unknown>, count: number): string {
  const times = count > 1 ? ` (${count} times since the last such entry)` : "";
  const what = data.status ?? data.reason ?? "network error";
  if (kind === "discord.rate_limited") {
    return `Discord rate limited ${data.route} (429, ${data.scope ?? "?"}); the client waited ${data.retryAfterMs} ms and retried${times}`;
  }
  if (kind === "discord.retry") {
    return `Discord call ${data.route} failed (${what}); the client retried after ${data.retryAfterMs} ms${times}`;
  }
  return `${data.invalidRequestsLast10Min} invalid Discord requests (401/403/429) in the last 10 minutes, last on ${data.route}; Discord bans the IP at 10,000`;
}

/**
 * The Discord client's logger, writing what it retries on its own — 429s it waited out
 * (`discord.rate_limited`), 5xx answers, timeouts and resets it retried (`discord.retry`), the
 * invalid-request count — to the event log and the process log (warn), with the route template,
 * status and delay only. Aggregated so a 429 storm cannot flood the table: per kind, route and
 * status, the first occurrence is written at once; later ones within `windowMs` (default 60 s) are
 * counted and written as one entry (`data.count`) once the window has passed (or at `flush`).
 * That is at most one row per kind, route and status per window.
 */
export function createDiscordEventSink(deps: {
  eventLog: EventLog;
  clock: Clock;
  log?: ProcessLog;
  windowMs?: number;
}): DiscordEventSink {
  const windowMs = deps.windowMs ?? 60_000;
  const tallies = new Map<
    string,
    { kind: string; data: Record<string, unknown>; held: number; since: number }
  >();
  let writes: Promise<void> = Promise.resolve();

  function write(kind: string, data: Record<string, unknown>, count: number) {
    const entry: EventLogEntry = {
      kind,
      level: "warn",
      message: clientEventMessage(kind, data, count),
      data: { ...data, count },
    };
    deps.log?.warn({ kind, ...entry.data }, entry.message);
    writes = writes
      .then(() => deps.eventLog.append(entry))
      .catch((error: unknown) => deps.log?.warn({ err: error, kind }, "cannot write to the event log"));
  }

  function note(kind: string, raw?: Record<string, unknown>) {
    if (!CLIENT_EVENTS.has(kind)) return;
    const data = clientEventData(kind, raw);
    const key = `${kind} ${data.route} ${data.status}`;
    const now = deps.clock.now().getTime();
    const tally = tallies.get(key);
    if (tally && now - tally.since < windowMs) {
      tally.held += 1;
      tally.data = data;
      return;
    }
    write(kind, data, 1 + (tally?.held ?? 0));
    tallies.set(key, { kind, data, held: 0, since: now });
  }

  return {
    logger: { debug: note, warn: note },
    async flush(opts = {}) {
      const now = deps.clock.now().getTime();
      for (const tally of tallies.values()) {
        if (tally.held === 0 || (!opts.all && now - tally.since < windowMs)) continue;
        write(tally.kind, tally.data, tally.held);
        tally.held = 0;
        tally.since = now;
      }
      await writes;
    },
  };
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
 * present, so an alert can watch it).
 */
export function registerRoleSyncMetrics(
  registry: Registry,
  sources: {
    reconciler: Pick<RoleReconciler, "blocks">;
    store: { countByState(io?: { signal?: AbortSignal }): Promise<Partial<Record<SyncState, number>>> };
  },
): void {
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
      const counts = { permanent_error: 0, ...(await sources.store.countByState()) };
      this.reset();
      for (const [state, n] of Object.entries(counts)) this.set({ state }, n);
    },
  });
}

/** Options of the role-sync wiring; every field has a default. */
export interface RoleSyncOptions {
  /** Entitlement rules as data (`entitlementRulesSchema`); default: non-empty `payment_status` → the configured roles. */
  rules?: unknown;
  /** Discord request budget per second (default 3, the seed's budget). */
  rps?: number;
  /** Tuning of the reconciler (lease, batch sizes, backoff…). */
  reconciler?: Partial<ReconcilerOptions>;
  /** Tuning of the loop (poll interval…). */
  loop?: Partial<RoleSyncLoopOptions>;
  /** Options passed to every Discord client (e.g. `retries`, `timeoutMs`). */
  rest?: { retries?: number; timeoutMs?: number; maxRateLimitWaitMs?: number };
}

/** What the role-sync wiring needs from the process. */
export interface RoleSyncDeps {
  store: Pick<AppStore, "roleSync" | "eventLog" | "configStore">;
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
 * Wires the role reconciler to a store and Discord: settings come from the `discord` configuration
 * on every round (bot token, guild, roles, sync interval — a change needs no restart), the Discord
 * client is rebuilt when the bot token changes, and the member triggers are told which rule
 * columns to watch.
 */
export function createRoleSync(deps: RoleSyncDeps, options: RoleSyncOptions = {}): RoleSync {
  const clock = deps.clock ?? systemClock;
  const scheduler = deps.scheduler ?? timerScheduler;
  const config = createConfigLoader({ store: deps.store.configStore, spec: discordConfigSpec });
  const rulesConfig = createConfigLoader({ store: deps.store.configStore, spec: roleSyncConfigSpec });
  let client: { token: string; rest: DiscordRest } | null = null;
  const { roleSync } = deps.store;
  const eventLog = mirrorErrors(deps.store.eventLog, deps.log);
  const clientEvents = createDiscordEventSink({ eventLog: deps.store.eventLog, clock, log: deps.log });

  function restFor(token: string): DiscordRest {
    if (client?.token === token) return client.rest;
    const old = client;
    const limiter = createBottleneckLimiter({
      rps: options.rps ?? 3,
      ...(deps.redisUrl ? { redis: { url: deps.redisUrl, id: "guildkit-discord-bot" } } : {}),
    });
    client = {
      token,
      rest: createDiscordRest({
        token,
        apiBaseUrl: deps.discordApiBaseUrl,
        cdnBaseUrl: deps.discordCdnBaseUrl,
        limiter,
        logger: clientEvents.logger,
        ...options.rest,
      }),
    };
    void old?.rest.close();
    return client.rest;
  }

  async function loadSettings(io?: { signal?: AbortSignal }): Promise<SettingsLoad> {
    // Rules are configuration data (module `role_sync`), read per use; a code option wins. Without
    // rules, the default rule grants the `discord` module's role_ids, which are then required.
    const configured =
      options.rules === undefined ? (await rulesConfig.load({ signal: io?.signal })).rules : options.rules;
    const hasRules = configured !== undefined && configured !== null;
    const required = hasRules
      ? (["bot_token", "guild_id"] as const)
      : (["bot_token", "guild_id", "role_ids"] as const);
    const loaded = await config.loadComplete(required, { signal: io?.signal });
    if (!loaded.ok) {
      return {
        status: "incomplete",
        missing: [...loaded.missing, ...loaded.invalid.map((issue) => `${issue.field} (invalid)`)],
      };
    }
    const { bot_token: token, guild_id: guildId } = loaded.values;
    const roleIds = loaded.values.role_ids ?? [];
    if (roleIds.length === 0 && !hasRules) return { status: "incomplete", missing: ["role_ids"] };
    const rules = resolveRules({ roleIds, rules: configured });
    await roleSync.watchColumns({ columns: ruleColumns(rules) }, io);
    return {
      status: "ready",
      settings: { guildId, rules, syncIntervalMs: syncIntervalMs(loaded.values.sync_interval_hours) },
      gateway: createRoleGateway(restFor(token)),
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
    reconciler,
    queue: roleSync.queue,
    loadSettings,
    clock,
    scheduler,
    eventLog,
    onStatus: deps.onStatus,
    onRound: () => void clientEvents.flush(),
    options: { pollMs: 2_000, ...options.loop },
  });
  return {
    reconciler,
    loop,
    loadSettings,
    async close() {
      await clientEvents.flush({ all: true });
      await client?.rest.close();
      client = null;
    },
  };
}

/**
 * The worker task: runs the role-sync loop until SIGTERM, then finishes the member in hand (or
 * releases its lease) and returns. Its gauges go to the worker's metrics registry.
 */
export const roleSyncTask: WorkerTask = {
  name: "role-sync",
  async run(ctx, signal) {
    const sync = createRoleSync({
      store: ctx.store,
      discordApiBaseUrl: ctx.settings.discordApiBaseUrl,
      discordCdnBaseUrl: ctx.settings.discordCdnBaseUrl,
      redisUrl: ctx.settings.redisUrl,
      owner: ctx.workerId,
      log: ctx.logger,
      onStatus: (status) =>
        status.state === "idle"
          ? ctx.logger.warn({ missing: status.missing }, "role sync idle: settings incomplete")
          : ctx.logger.info("role sync settings complete; syncing"),
    });
    registerRoleSyncMetrics(ctx.metrics, { reconciler: sync.reconciler, store: ctx.store.roleSync });
    try {
      await sync.loop.run({ stop: signal });
    } finally {
      await sync.close();
    }
  },
};
