import { systemClock, systemScheduler } from "@guildkit/core/system";
import { createBanGuard } from "./ban-guard/guard";
import { createBucketRegistry } from "./bucket";
import { buildAvatarPath } from "./cdn";
import type { DiscordRest, DiscordRestOptions } from "./client-types";
import { DEFAULT_USER_AGENT, DISCORD_API_BASE_URL, DISCORD_CDN_BASE_URL } from "./defaults";
import { DiscordAbortError, DiscordApiError } from "./errors";
import { guildEndpoints } from "./guild-endpoints";
import { createBottleneckLimiter, type RateLimiter } from "./limiter";
import { observerCalls } from "./observer";
import type { PipelineConfig } from "./pipeline-config";
import { createPipeline } from "./request";
import { roleConnectionEndpoints } from "./role-connection-endpoints";
import { routes } from "./route";
import { createStatsRecorder } from "./stats";
import { webhookEndpoints } from "./webhook-endpoints";
import { parseWebhookUrl } from "./webhook-url";

export type {
  AvatarImage,
  DiscordRest,
  DiscordRestOptions,
  ExecuteWebhookInput,
  GuildMemberPage,
} from "./client-types";

const NO_BUDGET: RateLimiter = { schedule: (fn) => fn() };

/**
 * Creates a Discord REST client (undici). Every request goes through the request budget (default
 * 3 starts per any second, bottleneck) and Discord's announced buckets, is retried on 5xx /
 * timeouts / dropped connections with jittered backoff, waits out 429s, and is validated with zod.
 *
 * @example
 * const discord = createDiscordRest({ token: process.env.DISCORD_BOT_TOKEN! });
 * const member = await discord.getGuildMember({ guildId, userId });
 * if (member && !member.roles.includes(roleId)) await discord.addGuildMemberRole({ guildId, userId, roleId, reason: "paid member" });
 */
export function createDiscordRest(options: DiscordRestOptions): DiscordRest {
  if (!options.token) throw new TypeError("createDiscordRest: token is required");
  const clock = options.clock ?? systemClock;
  const scheduler = options.scheduler ?? systemScheduler;
  const ownLimiter = options.limiter ? null : createBottleneckLimiter({ rps: options.rps ?? 3 });
  const limiter = options.limiter ?? ownLimiter!;
  const apiBaseUrl = (options.apiBaseUrl ?? DISCORD_API_BASE_URL).replace(/\/+$/, "");
  const cdnBaseUrl = (options.cdnBaseUrl ?? DISCORD_CDN_BASE_URL).replace(/\/+$/, "");
  const stats = createStatsRecorder(() => clock.now().getTime());
  const buckets = createBucketRegistry({ clock, scheduler });
  const logger = options.logger ?? { debug() {}, warn() {} };
  const banGuard =
    options.banGuard === false ? null : createBanGuard(options.banGuard ?? {}, { clock, scheduler, logger });
  let closed = false;
  const common: Omit<PipelineConfig, "limiter"> = {
    isClosed: () => closed,
    token: options.token,
    apiBaseUrl,
    cdnBaseUrl,
    userAgent: options.userAgent ?? DEFAULT_USER_AGENT,
    timeoutMs: options.timeoutMs ?? 15_000,
    retries: options.retries ?? 3,
    rateLimitRetries: options.rateLimitRetries ?? 5,
    maxRateLimitWaitMs: options.maxRateLimitWaitMs ?? 60_000,
    dispatcher: options.dispatcher,
    logger,
    clock,
    scheduler,
    random: options.random ?? Math.random,
    buckets,
    stats,
    banGuard,
    observer: observerCalls(options.observer),
  };
  const api = createPipeline({ ...common, limiter });
  // The CDN is not part of the API's limits: no budget, same timeouts, retries and 429 handling.
  const cdn = createPipeline({ ...common, limiter: NO_BUDGET });

  return {
    ...guildEndpoints(api),
    ...webhookEndpoints(api),
    ...roleConnectionEndpoints(api),
    parseWebhookUrl: (url) => parseWebhookUrl(url, { baseUrl: apiBaseUrl }),
    avatarUrl: (input) => cdnBaseUrl + buildAvatarPath(input).path,
    async fetchAvatar(input) {
      const { path, template } = buildAvatarPath(input);
      const route = routes.cdn(path, template);
      try {
        const response = await cdn.send(route, { base: "cdn", expect: "bytes", signal: input.signal });
        return { bytes: response.bytes ?? new Uint8Array(), contentType: response.contentType };
      } catch (error) {
        if (error instanceof DiscordApiError && error.status === 404) return null;
        throw error;
      }
    },
    stats: () => ({ ...stats.snapshot(api.gate.pausedUntil()), banGuard: banGuard?.snapshot() ?? null }),
    buckets: () => buckets.snapshot(),
    async close() {
      closed = true;
      buckets.close(new DiscordAbortError("the Discord client was closed", { route: "close" }));
      await ownLimiter?.close?.();
      await banGuard?.close();
    },
  };
}
