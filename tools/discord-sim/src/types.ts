/**
 * The public contract of the simulator. Tests, benchmarks and the dev server use only what is
 * declared here (plus the HTTP surface that mirrors Discord and PluralKit).
 */

import type { SimFaults, SimInspect, SimSeed } from "./api-types";

/** A rate-limit bucket: `limit` requests per `windowMs`. */
export interface SimBucketLimit {
  limit: number;
  windowMs: number;
}

/** Route keys the simulator limits separately (Discord groups routes into shared buckets). */
export type SimRouteKey =
  | "get_member"
  | "list_members"
  | "member_role"
  | "guild_roles"
  | "channel_webhooks"
  | "execute_webhook"
  | "users_me"
  | "oauth_token"
  | "cdn"
  | "pk_message"
  /** `GET /webhooks/{id}/{token}` (added by the simulator). */
  | "get_webhook"
  /** `GET`/`PATCH`/`DELETE /webhooks/{id}/{token}/messages/{message_id}` (added by the simulator). */
  | "webhook_message"
  /** `GET /guilds/{guild_id}`. */
  | "get_guild"
  /** `PUT /guilds/{guild_id}/members/{user_id}` (Add Guild Member). */
  | "add_member"
  /** `DELETE /guilds/{guild_id}/members/{user_id}` (Remove Guild Member). */
  | "remove_member"
  /** `GET /applications/@me` and `GET /oauth2/applications/@me`. */
  | "get_application"
  /** `GET`/`PUT /applications/{application_id}/role-connections/metadata`. */
  | "role_connection_metadata"
  /** `GET`/`PUT`/`DELETE /users/@me/applications/{application_id}/role-connection` (per user). */
  | "role_connection";

/**
 * Limits Discord applies to a resource whatever the caller (429 with `X-RateLimit-Scope: shared`):
 * `channel_messages` is the hidden per-channel message limit every webhook posting into one channel
 * shares.
 */
export type SimResourceLimitKey = "channel_messages";

/** Options of `startDiscordSim`; every limit defaults to a Discord-like value (see the README). */
export interface DiscordSimOptions {
  /** Interface to bind; default 127.0.0.1. */
  host?: string;
  /** Port; 0 (default) picks an ephemeral one. */
  port?: number;
  /** Global limit per bot token per second (Discord: 50). */
  globalPerSecond?: number;
  /** Per-route bucket limits; unspecified routes use Discord-like defaults. */
  routeLimits?: Partial<Record<SimRouteKey, SimBucketLimit>>;
  /** PluralKit requests per second per client (PluralKit: 10). */
  pluralkitPerSecond?: number;
  /** Window for counting invalid (401/403/429) requests; default 10 minutes. */
  invalidWindowMs?: number;
  /** Clock in epoch ms; default Date.now. */
  now?: () => number;
  /** Reject requests whose User-Agent does not start with "DiscordBot" (default false). */
  strictUserAgent?: boolean;
  /** Seed of the PRNG behind fault injection (default 0x5eed), so runs are reproducible. */
  randomSeed?: number;
  /** Maximum number of request records kept for `inspect.requests` (default 500,000). */
  requestLogCap?: number;
  /**
   * Per-resource limits shared by every caller; `null` turns one off. Default
   * `{ channel_messages: { limit: 30, windowMs: 60_000 } }`.
   */
  resourceLimits?: Partial<Record<SimResourceLimitKey, SimBucketLimit | null>>;
  /** Lifetime of OAuth2 access tokens in seconds (`expires_in`); default 604,800 (7 days), as on Discord. */
  accessTokenTtlSeconds?: number;
}

/** One request the simulator answered (`status` 0 = connection dropped by a fault). */
export interface SimRequestRecord {
  /** When the request arrived (epoch ms; before any injected latency), as Discord counts it. */
  at: number;
  method: string;
  /** Path as requested, without query. */
  path: string;
  /** Route key or "other". */
  route: SimRouteKey | "other";
  status: number;
  /** Bucket hash announced on the answer, if any. */
  bucket: string | null;
  /** The `X-RateLimit-Scope` of a 429. */
  scope?: "user" | "global" | "shared";
  /** True when the simulator injected the fault. */
  injected?: boolean;
}

/** Running totals over every request ever served (they survive the request-log cap). */
export interface SimCounters {
  requests: number;
  byRoute: Record<string, number>;
  byStatus: Record<string, number>;
}

/** A fault to inject on one route (or all). Setting a fault for a route replaces the previous one. */
export interface SimFault {
  /** Route to affect, or "*" for every route. */
  route: SimRouteKey | "*";
  /** Probability 0..1 of answering 500/502/503 instead. */
  errorRate?: number;
  /** Added latency in ms before answering. */
  latencyMs?: number;
  /** Probability 0..1 of destroying the socket without an answer. */
  dropRate?: number;
  /** Answer the next `count` requests with 429 (`retryAfterMs`, optionally global). */
  force429?: { count: number; retryAfterMs: number; global?: boolean; scope?: "user" | "shared" };
  /** Statuses `errorRate` picks from (default [500, 502, 503]). */
  errorStatuses?: number[];
}

/** A running simulator (see `startDiscordSim`). */
export interface DiscordSim {
  /** Origin, e.g. http://127.0.0.1:43123 */
  url: string;
  /** Discord API base: `${url}/api/v10` */
  apiBaseUrl: string;
  /** Discord OAuth2 authorize page: `${url}/oauth2/authorize` */
  authorizeUrl: string;
  /** CDN base: `${url}/cdn` (paths as on cdn.discordapp.com) */
  cdnBaseUrl: string;
  /** PluralKit API base: `${url}/pk/v2` */
  pluralkitBaseUrl: string;
  seed: SimSeed;
  inspect: SimInspect;
  faults: SimFaults;
  /**
   * Act as the browser on the authorize page: validate `authorizeUrl` like `GET /oauth2/authorize`,
   * then press Authorize as `userId` (default the authorizing user) or Cancel (`deny`). Resolves
   * to the redirect location; rejects with `DiscordSimError` where Discord shows an error page.
   */
  authorize(authorizeUrl: string, opts?: { userId?: string; deny?: boolean }): Promise<string>;
  /** Forget all state, logs and faults. */
  reset(): void;
  close(): Promise<void>;
}

export type * from "./api-types";
export type * from "./world-types";
