import { z } from "zod";
import { PLURALKIT_APPLICATION_ID } from "./channel-state";
import { SpeedbumpConfigError } from "./errors";
import type { DisplayNameParts, IdentityOptions } from "./identity";

/** Tunables of {@link createSpeedbump}; every one has a default. */
export interface SpeedbumpOptions {
  /** How long a message is held in a speedbump channel (default 4,000 ms). */
  delayMs?: number;
  /** A message delete re-reads the channel's webhooks at most this often (default 2 h). */
  refreshIntervalMs?: number;
  /** Applications whose webhooks turn the speedbump on (default PluralKit's `466378653216014359`). */
  proxyApplicationIds?: string[];
  /**
   * Hold every user's message in speedbump channels, not only users known to proxy (default
   * false: a first-time PluralKit user's first message is relayed, then deleted by the sink when
   * PluralKit deletes it).
   */
  holdAllUsers?: boolean;
  /**
   * Messages starting with one of these are held in speedbump channels even from users not
   * known to proxy: PluralKit deletes its commands (`pk;edit`, …). Default `["pk;", "pk!"]`.
   */
  holdCommandPrefixes?: string[];
  /**
   * How long a PluralKit lookup may take before the proxied message is delivered under the
   * webhook's own name and avatar, its identity resolved later (default 1,500 ms). The lookup's
   * `signal` is aborted then.
   */
  lookupTimeoutMs?: number;
  /** After a failed PluralKit lookup, skip lookups (use the fallback identity) for this long (default 30 s). */
  lookupCooldownMs?: number;
  /** First retry of an unresolved identity (default 60 s), doubling per attempt up to 1 h. */
  unresolvedRetryMs?: number;
  /** Attempts before an unresolved identity is given up (default 20). */
  unresolvedMaxAttempts?: number;
  /** First retry of a failed hold delivery (default 1 s), doubling up to 60 s. */
  deliveryRetryMs?: number;
  /** After a failed webhook read, wait this long before the next one (default 60 s, or the error's `retryAfterMs`). */
  webhookRetryMs?: number;
  /**
   * Before delivering a hold recovered after a restart, ask PluralKit whether it proxied the
   * message (its delete may have happened while the relay was down). Default true.
   */
  verifyRecoveredHolds?: boolean;
  /**
   * States of channels without a speedbump kept in memory (when their webhooks were last read;
   * default 50,000). Channels with a speedbump are few and always kept.
   */
  channelCacheSize?: number;
  /** Users whose "known to proxy" flag is kept in memory (default 100,000). */
  userCacheSize?: number;
  /** How PluralKit identities are mapped. */
  identity?: IdentityOptions;
}

/** {@link SpeedbumpOptions} with defaults applied. */
export interface ResolvedSpeedbumpOptions {
  delayMs: number;
  refreshIntervalMs: number;
  proxyApplicationIds: string[];
  holdAllUsers: boolean;
  holdCommandPrefixes: string[];
  lookupTimeoutMs: number;
  lookupCooldownMs: number;
  unresolvedRetryMs: number;
  unresolvedMaxAttempts: number;
  deliveryRetryMs: number;
  webhookRetryMs: number;
  verifyRecoveredHolds: boolean;
  channelCacheSize: number;
  userCacheSize: number;
  identity: IdentityOptions;
}

const ms = z.number().int().nonnegative();
const positive = z.number().int().positive();
const schema = z.object({
  delayMs: ms.max(600_000).default(4_000),
  refreshIntervalMs: ms.default(2 * 60 * 60 * 1000),
  proxyApplicationIds: z
    .array(z.string().regex(/^\d{1,20}$/, "an application id (snowflake)"))
    .min(1)
    .default([PLURALKIT_APPLICATION_ID]),
  holdAllUsers: z.boolean().default(false),
  holdCommandPrefixes: z.array(z.string().min(1)).default(["pk;", "pk!"]),
  lookupTimeoutMs: positive.default(1_500),
  lookupCooldownMs: ms.default(30_000),
  unresolvedRetryMs: positive.default(60_000),
  unresolvedMaxAttempts: positive.default(20),
  deliveryRetryMs: positive.default(1_000),
  webhookRetryMs: positive.default(60_000),
  verifyRecoveredHolds: z.boolean().default(true),
  channelCacheSize: positive.default(50_000),
  userCacheSize: positive.default(100_000),
  identity: z
    .object({
      handlePrefix: z.string().min(1).max(32).optional(),
      formatDisplayName: z
        .custom<(parts: DisplayNameParts) => string>((v) => typeof v === "function")
        .optional(),
      cdnBaseUrl: z.url().optional(),
    })
    .default({}),
});

/**
 * Applies defaults and checks ranges.
 *
 * @throws {SpeedbumpConfigError} naming the first bad option.
 */
export function resolveSpeedbumpOptions(options: SpeedbumpOptions = {}): ResolvedSpeedbumpOptions {
  const parsed = schema.safeParse(options);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new SpeedbumpConfigError(issue.path.join(".") || "(options)", issue.message);
  }
  const { identity, ...rest } = parsed.data;
  const resolvedIdentity: IdentityOptions = {};
  if (identity.handlePrefix !== undefined) resolvedIdentity.handlePrefix = identity.handlePrefix;
  if (identity.formatDisplayName !== undefined)
    resolvedIdentity.formatDisplayName = identity.formatDisplayName;
  if (identity.cdnBaseUrl !== undefined) resolvedIdentity.cdnBaseUrl = identity.cdnBaseUrl;
  return { ...rest, identity: resolvedIdentity };
}
