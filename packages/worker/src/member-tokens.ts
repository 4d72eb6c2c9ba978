import { type ConfigStore, createConfigLoader, discordConfigSpec } from "@guildkit/config";
import type { Clock, EventLog, Scheduler } from "@guildkit/core";
import { systemClock, systemScheduler } from "@guildkit/core/system";
import { createDiscordMemberGrantClient } from "@guildkit/discord-rest";
import {
  createMemberTokens,
  GRANT_REFRESH_AHEAD_MS,
  type MemberGrantClient,
  type MemberTokenStore,
  type MemberTokens,
} from "@guildkit/oauth-state";
import type { WorkerContext, WorkerTask } from "./context";

/** What {@link createStoreMemberTokens} needs: the store's token port, its config and its event log. */
export interface MemberTokenStoreParts {
  oauth: { memberTokens: MemberTokenStore };
  configStore: ConfigStore;
  eventLog: EventLog;
}

/**
 * The OAuth2 application's token endpoint for kept member grants, with the client id and secret read
 * from the `discord` settings at every call (a change needs no restart).
 */
export function createConfiguredGrantClient(
  configStore: ConfigStore,
  options: { apiBaseUrl?: string; timeoutMs?: number } = {},
): MemberGrantClient {
  const config = createConfigLoader({ store: configStore, spec: discordConfigSpec });
  return createDiscordMemberGrantClient({
    apiBaseUrl: options.apiBaseUrl,
    timeoutMs: options.timeoutMs,
    credentials: {
      async load(opts = {}) {
        const result = await config.loadComplete(["client_id", "client_secret"], opts);
        return result.ok
          ? { clientId: result.values.client_id, clientSecret: result.values.client_secret }
          : null;
      },
    },
  });
}

/**
 * `createMemberTokens` of `@guildkit/oauth-state` on a store (`store.oauth.memberTokens`, sealed) and
 * Discord's token endpoint: the `MemberTokenSource` Linked Roles and the guild join read tokens
 * through, and revocation on unlink.
 */
export function createStoreMemberTokens(
  store: MemberTokenStoreParts,
  options: { apiBaseUrl?: string; clock?: Clock; refreshMarginMs?: number; timeoutMs?: number } = {},
): MemberTokens {
  return createMemberTokens({
    store: store.oauth.memberTokens,
    client: createConfiguredGrantClient(store.configStore, options),
    clock: options.clock ?? systemClock,
    eventLog: store.eventLog,
    refreshMarginMs: options.refreshMarginMs,
  });
}

/** Options of {@link createMemberTokenTask}. */
export interface MemberTokenTaskOptions {
  /** Between passes (default 1 hour). */
  intervalMs?: number;
  /** Refresh grants expiring within this window (default `GRANT_REFRESH_AHEAD_MS`, 1 day). */
  aheadMs?: number;
  /** Grants per pass (default 200). */
  batch?: number;
  clock?: Clock;
  scheduler?: Scheduler;
  /** The tokens to work on; default `createStoreMemberTokens(ctx.store, { apiBaseUrl })`. */
  tokens?: MemberTokens;
}

/**
 * Member OAuth tokens: at start and then every `intervalMs`, refreshes kept grants before they expire
 * (Discord access tokens live 7 days; a refused refresh marks the link as needing re-consent) and
 * revokes at Discord, then deletes, the grants of members that were deleted or unlinked. A failing
 * pass is logged and retried at the next interval. Never logs a token.
 */
export function createMemberTokenTask(options: MemberTokenTaskOptions = {}): WorkerTask {
  const intervalMs = options.intervalMs ?? 3_600_000;
  const batch = options.batch ?? 200;
  const scheduler = options.scheduler ?? systemScheduler;
  return {
    name: "member-tokens",
    async run(ctx: WorkerContext, signal: AbortSignal) {
      if ((ctx.store as Partial<MemberTokenStoreParts>).oauth?.memberTokens === undefined) {
        ctx.logger.info("member tokens: the store does not serve the login feature; nothing to refresh");
        return;
      }
      const tokens =
        options.tokens ??
        createStoreMemberTokens(ctx.store, {
          apiBaseUrl: ctx.settings.discordApiBaseUrl,
          clock: options.clock,
        });
      while (!signal.aborted) {
        try {
          const aheadMs = options.aheadMs ?? GRANT_REFRESH_AHEAD_MS;
          const refreshed = await tokens.refreshExpiring({ limit: batch, aheadMs }, { signal });
          const swept = await tokens.sweepOrphans({ limit: batch }, { signal });
          if (refreshed.done + refreshed.consentNeeded + refreshed.failed + swept.done + swept.failed > 0) {
            ctx.logger.info({ refreshed, revoked: swept }, "member tokens: refreshed and revoked grants");
          }
        } catch (error) {
          if (signal.aborted) break;
          ctx.logger.warn({ err: error }, "member token pass failed; retrying at the next interval");
        }
        await scheduler.sleep(intervalMs, { signal });
      }
    },
  };
}

/** The member token task with its defaults. */
export const memberTokenTask: WorkerTask = createMemberTokenTask();

/**
 * `memberTokens` whose `save` also makes the member's Linked Roles push due (`roleConnections.markDue`):
 * a member skipped for having no grant (`no_grant`) or needing consent gets its metadata pushed as
 * soon as it links with `role_connections.write`, not at its next entitlement change. A failing
 * `markDue` never fails the save (the grant is kept; the next change or round catches up).
 */
export function withRoleConnectionsDue(
  memberTokens: MemberTokenStore,
  roleConnections: {
    markDue(
      opts: { now: Date; memberIds?: readonly string[] },
      io?: { signal?: AbortSignal },
    ): Promise<number>;
  },
  options: { clock?: Clock; onError?: (error: unknown) => void } = {},
): MemberTokenStore {
  const clock = options.clock ?? systemClock;
  return {
    ...memberTokens,
    async save(input, opts) {
      await memberTokens.save(input, opts);
      try {
        await roleConnections.markDue({ now: clock.now(), memberIds: [input.memberId] }, opts);
      } catch (error) {
        options.onError?.(error);
      }
    },
  };
}
