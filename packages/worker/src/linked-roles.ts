import { createConfigLoader, discordConfigSpec } from "@guildkit/config";
import { systemClock, systemScheduler } from "@guildkit/core/system";
import {
  createBottleneckLimiter,
  createDiscordRest,
  createRoleConnectionClient,
  type DiscordRest,
  type RoleConnectionMetadataRecord,
} from "@guildkit/discord-rest";
import {
  type Clock,
  createRoleConnectionPusher,
  createRoleSyncSettingsSource,
  defaultMetadataRecords,
  discordMetadataRecords,
  type EntitlementRule,
  linkedRolesConfigSpec,
  type MemberTokenSource,
  type MetadataRecord,
  type PushSummary,
  parseMetadataRecords,
  type RoleConnectionPusherOptions,
  type RoleDeliveryMode,
  refreshDesired,
  type Scheduler,
  usesLinkedRoles,
} from "@guildkit/role-reconciler";
import type { WorkerTask } from "./context";
import { createStoreMemberTokens } from "./member-tokens";
import type { WorkerStore } from "./store";

/** The Linked Roles settings as one round uses them. */
export type LinkedRolesLoad =
  | {
      status: "ready";
      mode: RoleDeliveryMode;
      applicationId: string;
      records: MetadataRecord[];
      rules: readonly EntitlementRule[];
      platformName: string | null;
      /** A secret: never log it. */
      botToken: string;
    }
  | { status: "incomplete"; missing: string[] };

/** What the Linked Roles wiring needs from the process. */
export interface LinkedRolesDeps {
  store: Pick<WorkerStore, "configStore" | "roleSync" | "roleConnections" | "eventLog">;
  discordApiBaseUrl: string;
  /** Each member's access token (the member OAuth token store; a memory one in tests). */
  tokens: MemberTokenSource;
  /** Lease owner. */
  owner: string;
  clock?: Clock;
  scheduler?: Scheduler;
  /** Entitlement rules as data, as role sync takes them (default: the stored rules). */
  rules?: unknown;
}

/** Options of the Linked Roles wiring. */
export interface LinkedRolesOptions {
  /** Role connection pushes per second (default 10); they run on a budget of their own, apart from the bot's. */
  rps?: number;
  /** Tuning of the pusher. */
  pusher?: Partial<Omit<RoleConnectionPusherOptions, "owner" | "platformName">>;
  /** Sleep between rounds when nothing is due (default 2 s). */
  pollMs?: number;
  /** Options passed to the Discord client. */
  rest?: { retries?: number; timeoutMs?: number; maxRateLimitWaitMs?: number };
}

/** The assembled Linked Roles: settings, schema registration, rounds. */
export interface LinkedRoles {
  loadSettings(io?: { signal?: AbortSignal }): Promise<LinkedRolesLoad>;
  /** `PUT /applications/{id}/role-connections/metadata` with the configured records; resolves what Discord stored. */
  registerSchema(io?: { signal?: AbortSignal }): Promise<RoleConnectionMetadataRecord[]>;
  /** Records every member's desired metadata, then pushes until nothing is due now. */
  round(io?: { signal?: AbortSignal }): Promise<(PushSummary & { changed: number }) | null>;
  /** Rounds until `stop` aborts, sleeping `pollMs` between them. */
  run(opts: { stop: AbortSignal }): Promise<void>;
  close(): Promise<void>;
}

/**
 * Wires role connections to a store, the member token source and Discord: the mode, records and
 * platform name come from the `linked_roles` module, the application id and bot token from `discord`,
 * the entitlement rules from role sync's settings — all read per round, so a change needs no restart.
 */
export function createLinkedRoles(deps: LinkedRolesDeps, options: LinkedRolesOptions = {}): LinkedRoles {
  const clock = deps.clock ?? systemClock;
  const scheduler = deps.scheduler ?? systemScheduler;
  const discord = createConfigLoader({ store: deps.store.configStore, spec: discordConfigSpec });
  const linked = createConfigLoader({ store: deps.store.configStore, spec: linkedRolesConfigSpec });
  const ruleSource = createRoleSyncSettingsSource({ configStore: deps.store.configStore, rules: deps.rules });
  let client: { token: string; rest: DiscordRest } | null = null;

  function restFor(token: string): DiscordRest {
    if (client?.token === token) return client.rest;
    void client?.rest.close();
    const limiter = createBottleneckLimiter({ rps: options.rps ?? 10 });
    client = {
      token,
      rest: createDiscordRest({ token, apiBaseUrl: deps.discordApiBaseUrl, limiter, ...options.rest }),
    };
    return client.rest;
  }

  async function loadSettings(io?: { signal?: AbortSignal }): Promise<LinkedRolesLoad> {
    const base = await discord.loadComplete(["client_id", "bot_token"], io);
    if (!base.ok)
      return {
        status: "incomplete",
        missing: [...base.missing, ...base.invalid.map((f) => `${f} (invalid)`)],
      };
    const values = await linked.load(io);
    const rules = await ruleSource.load(io);
    if (rules.status === "incomplete") return rules;
    return {
      status: "ready",
      mode: values.mode as RoleDeliveryMode,
      applicationId: base.values.client_id,
      records: values.records ? parseMetadataRecords(values.records) : defaultMetadataRecords(),
      rules: rules.settings.rules,
      platformName: values.platform_name ?? null,
      botToken: base.values.bot_token,
    };
  }

  async function ready(io?: { signal?: AbortSignal }) {
    const loaded = await loadSettings(io);
    if (loaded.status === "incomplete") return null;
    return loaded;
  }

  const linkedRoles: LinkedRoles = {
    loadSettings,
    async registerSchema(io) {
      const loaded = await loadSettings(io);
      if (loaded.status === "incomplete") {
        throw new TypeError(`Linked Roles settings are incomplete: ${loaded.missing.join(", ")}`);
      }
      return restFor(loaded.botToken).updateRoleConnectionMetadata({
        applicationId: loaded.applicationId,
        records: discordMetadataRecords(loaded.records),
        signal: io?.signal,
      });
    },
    async round(io = {}) {
      const loaded = await ready(io);
      if (!loaded || !usesLinkedRoles(loaded.mode)) return null;
      const now = clock.now();
      const { changed } = await refreshDesired(
        { members: deps.store.roleSync.queue, queue: deps.store.roleConnections },
        { records: loaded.records, rules: loaded.rules, now },
        io,
      );
      const pusher = createRoleConnectionPusher(
        {
          queue: deps.store.roleConnections,
          tokens: deps.tokens,
          client: createRoleConnectionClient(restFor(loaded.botToken), {
            applicationId: loaded.applicationId,
          }),
          clock,
          eventLog: deps.store.eventLog,
        },
        { ...options.pusher, owner: deps.owner, platformName: loaded.platformName },
      );
      return { ...(await pusher.drain(io)), changed };
    },
    async run({ stop }) {
      while (!stop.aborted) {
        try {
          await linkedRoles.round({ signal: stop });
        } catch (error) {
          if (stop.aborted) return;
          await deps.store.eventLog.append({
            kind: "role_connection.round_failed",
            level: "error",
            message: error instanceof Error ? error.message : String(error),
          });
        }
        await scheduler.sleep(options.pollMs ?? 2_000, { signal: stop }).catch(() => {});
      }
    },
    async close() {
      await client?.rest.close();
      client = null;
    },
  };
  return linkedRoles;
}

/**
 * The Linked Roles worker task, given the member token source the host keeps (the store-backed one
 * of the member OAuth tokens): rounds until SIGTERM. It idles while the mode is `bot_roles`.
 */
export function createLinkedRolesTask(
  tokens: MemberTokenSource,
  options: LinkedRolesOptions = {},
): WorkerTask {
  return {
    name: "linked-roles",
    async run(ctx, signal) {
      const linked = createLinkedRoles(
        {
          store: ctx.store,
          discordApiBaseUrl: ctx.settings.discordApiBaseUrl,
          tokens,
          owner: ctx.workerId,
          ...(ctx.clock ? { clock: ctx.clock } : {}),
        },
        options,
      );
      try {
        await linked.run({ stop: signal });
      } finally {
        await linked.close();
      }
    },
  };
}

/**
 * The default `linked-roles` task: {@link createLinkedRolesTask} on the store's member OAuth grants
 * (`createStoreMemberTokens`: encrypted at rest, refreshed before expiry, re-consent on refusal). It
 * idles while `linked_roles.mode` is `bot_roles` (the default).
 */
export const linkedRolesTask: WorkerTask = {
  name: "linked-roles",
  run(ctx, signal) {
    const tokens: MemberTokenSource = createStoreMemberTokens(ctx.store, {
      apiBaseUrl: ctx.settings.discordApiBaseUrl,
    });
    return createLinkedRolesTask(tokens).run(ctx, signal);
  },
};
