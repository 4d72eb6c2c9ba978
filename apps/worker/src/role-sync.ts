import { setTimeout as delay } from "node:timers/promises";
import { createConfigLoader, discordConfigSpec } from "@guildkit/config";
import {
  createBottleneckLimiter,
  createDiscordRest,
  createRoleGateway,
  type DiscordRest,
} from "@guildkit/discord-rest";
import {
  type Clock,
  createRoleReconciler,
  createRoleSyncLoop,
  type ReconcilerOptions,
  type RoleReconciler,
  type RoleSyncLoop,
  type RoleSyncLoopOptions,
  resolveRules,
  roleSyncConfigSpec,
  ruleColumns,
  type Scheduler,
  type SettingsLoad,
  syncIntervalMs,
} from "@guildkit/role-reconciler";
import type { AppStore } from "@guildkit/runtime";
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
}

/** The assembled role sync: reconciler, loop, settings loader. */
export interface RoleSync {
  reconciler: RoleReconciler;
  loop: RoleSyncLoop;
  loadSettings(io?: { signal?: AbortSignal }): Promise<SettingsLoad>;
  /** Closes the Discord client. */
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
  const { roleSync, eventLog } = deps.store;

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
        ...options.rest,
      }),
    };
    void old?.rest.close();
    return client.rest;
  }

  async function loadSettings(io?: { signal?: AbortSignal }): Promise<SettingsLoad> {
    const loaded = await config.loadComplete(["bot_token", "guild_id", "role_ids"], { signal: io?.signal });
    if (!loaded.ok) {
      return {
        status: "incomplete",
        missing: [...loaded.missing, ...loaded.invalid.map((issue) => `${issue.field} (invalid)`)],
      };
    }
    const { bot_token: token, guild_id: guildId, role_ids: roleIds } = loaded.values;
    // Rules are configuration data (module `role_sync`), read per use; a code option wins.
    const configured =
      options.rules === undefined ? (await rulesConfig.load({ signal: io?.signal })).rules : options.rules;
    if (roleIds.length === 0 && (configured === undefined || configured === null))
      return { status: "incomplete", missing: ["role_ids"] };
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
    options: { pollMs: 2_000, ...options.loop },
  });
  return {
    reconciler,
    loop,
    loadSettings,
    async close() {
      await client?.rest.close();
      client = null;
    },
  };
}

/**
 * The worker task: runs the role-sync loop until SIGTERM, then finishes the member in hand (or
 * releases its lease) and returns.
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
      onStatus: (status) =>
        status.state === "idle"
          ? ctx.logger.warn({ missing: status.missing }, "role sync idle: settings incomplete")
          : ctx.logger.info("role sync settings complete; syncing"),
    });
    try {
      await sync.loop.run({ stop: signal });
    } finally {
      await sync.close();
    }
  },
};
