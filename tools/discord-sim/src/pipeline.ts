import type { HttpBindings } from "@hono/node-server";
import type { Context } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { SimContext } from "./context";
import type { DiscordErrorBody } from "./errors";
import { DISCORD_ERRORS } from "./errors";
import { seconds } from "./format";
import { liveGrant } from "./oauth-grants";
import { type BucketState, bucketHash, GLOBAL_BUCKET_HASH } from "./rate-limits";
import type { OAuthGrant } from "./state";
import type { SimApplication, SimRouteKey } from "./types";

/** Hono environment of the simulator's app. */
export type SimEnv = {
  Bindings: HttpBindings;
  Variables: {
    route: SimRouteKey | undefined;
    scope: "user" | "global" | "shared" | undefined;
    injected: boolean | undefined;
    dropped: boolean | undefined;
  };
};

/** Hono context of the simulator's app. */
export type SimHonoContext = Context<SimEnv>;

/** Who is calling. */
export type Principal =
  | { kind: "bot"; app: SimApplication; userId: string; key: string }
  | { kind: "bearer"; grant: OAuthGrant; userId: string; key: string };

/**
 * How a Discord route authenticates and is limited. Every request also counts against its caller's
 * global limit (see {@link takeGlobal}).
 */
export interface DiscordRouteSpec {
  route: SimRouteKey;
  /** Accepted Authorization: a bot token, an OAuth2 bearer token, either, or none. */
  auth: "bot" | "bearer" | "any" | "none";
  /** Major parameter of the bucket (guild id, channel id, webhook id + token), or null. */
  major: (c: SimHonoContext, principal: Principal | null) => string;
}

/** Answers a Discord JSON error. */
export function discordError(c: SimHonoContext, error: { status: number; body: DiscordErrorBody }): Response {
  return c.json(error.body, error.status as ContentfulStatusCode);
}

/**
 * The URL-decoded `X-Audit-Log-Reason` header, or null.
 * @see https://discord.com/developers/docs/resources/audit-log#audit-log-entry-object
 */
export function auditLogReason(c: SimHonoContext): string | null {
  const header = c.req.header("x-audit-log-reason");
  if (header === undefined) return null;
  try {
    return decodeURIComponent(header);
  } catch {
    return header;
  }
}

/** The client's address (rate-limit key for unauthenticated routes). */
export function clientAddress(c: SimHonoContext): string {
  return c.env?.incoming?.socket?.remoteAddress ?? "unknown";
}

function authenticate(
  ctx: SimContext,
  c: SimHonoContext,
  accepted: DiscordRouteSpec["auth"],
): Principal | null {
  const header = c.req.header("authorization") ?? "";
  const space = header.indexOf(" ");
  if (space < 0) return null;
  const type = header.slice(0, space);
  const token = header.slice(space + 1).trim();
  if (type === "Bot" && (accepted === "bot" || accepted === "any")) {
    const app = ctx.state.applicationsByToken.get(token);
    return app ? { kind: "bot", app, userId: app.botUserId, key: `bot:${app.botUserId}` } : null;
  }
  if (type === "Bearer" && (accepted === "bearer" || accepted === "any")) {
    const grant = liveGrant(ctx.state, token);
    if (!grant) return null;
    return { kind: "bearer", grant, userId: grant.userId, key: `bearer:${grant.userId}` };
  }
  return null;
}

const BUCKET_HEADERS = [
  "X-RateLimit-Limit",
  "X-RateLimit-Remaining",
  "X-RateLimit-Reset",
  "X-RateLimit-Reset-After",
  "X-RateLimit-Bucket",
] as const;

function setBucketHeaders(c: SimHonoContext, hash: string, bucket: BucketState): void {
  c.header("X-RateLimit-Limit", String(bucket.limit));
  c.header("X-RateLimit-Remaining", String(bucket.remaining));
  c.header("X-RateLimit-Reset", (bucket.resetAt / 1000).toFixed(3));
  c.header("X-RateLimit-Reset-After", seconds(bucket.resetAfterMs));
  c.header("X-RateLimit-Bucket", hash);
}

/**
 * Counts a Discord API request against its caller's global limit (`globalPerSecond`): the bot or
 * OAuth2 user it authenticates, otherwise the client's IP ("if no authorization header is provided,
 * the limit is applied to the IP address"). Returns the global 429 to answer, or null with the state
 * of the caller's window.
 */
function takeGlobal(
  ctx: SimContext,
  c: SimHonoContext,
  principal: Principal | null,
): { refused: Response | null; window: BucketState } {
  const window = ctx.globalLimiter.take(principal?.key ?? `ip:${clientAddress(c)}`, {
    limit: ctx.options.globalPerSecond,
    windowMs: 1_000,
  });
  const refused = window.ok ? null : discord429(c, { retryAfterMs: window.resetAfterMs, scope: "global" });
  return { refused, window };
}

/**
 * Answers a Discord 429 (`retry_after` in float seconds, `Retry-After` whole seconds rounded up); a
 * limit with its own JSON code (e.g. 20028) passes `code` and `message`.
 * @see https://discord.com/developers/docs/topics/rate-limits#exceeding-a-rate-limit
 */
export function discord429(
  c: SimHonoContext,
  opts: { retryAfterMs: number; scope: "user" | "global" | "shared"; code?: number; message?: string },
): Response {
  const retryAfter = Math.max(0.001, Math.round(opts.retryAfterMs) / 1000);
  c.set("scope", opts.scope);
  // A global 429 names no bucket (Discord's example carries none).
  if (opts.scope === "global") for (const name of BUCKET_HEADERS) c.header(name, undefined);
  c.header("Retry-After", String(Math.max(1, Math.ceil(retryAfter))));
  c.header("X-RateLimit-Scope", opts.scope);
  if (opts.scope === "global") c.header("X-RateLimit-Global", "true");
  const message =
    opts.message ??
    (opts.scope === "shared" ? "The resource is being rate limited." : "You are being rate limited.");
  const body = { message, retry_after: retryAfter, global: opts.scope === "global" };
  return c.json(opts.code === undefined ? body : { ...body, code: opts.code }, 429);
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Destroys the client's socket without an answer. */
function drop(c: SimHonoContext): Response {
  c.set("dropped", true);
  c.set("injected", true);
  c.env?.incoming?.socket?.destroy();
  return c.body(null, 500);
}

/**
 * Applies the faults configured for `route`: latency, a dropped socket, a 5xx, a forced 429.
 * Returns the answer to send instead of the real one, or null.
 */
export async function applyFaults(
  ctx: SimContext,
  c: SimHonoContext,
  route: SimRouteKey,
  style: "discord" | "cdn" | "pluralkit",
): Promise<Response | null> {
  const decision = ctx.faults.decide(route);
  if (decision.latencyMs > 0) await sleep(decision.latencyMs);
  if (decision.drop) return drop(c);
  if (decision.errorStatus !== null) {
    c.set("injected", true);
    const status = decision.errorStatus as ContentfulStatusCode;
    const text = SERVER_ERROR_TEXT[decision.errorStatus] ?? "Server Error";
    if (style === "cdn") return c.text(`${decision.errorStatus}: ${text}`, status);
    return c.json({ message: `${decision.errorStatus}: ${text}`, code: 0 }, status);
  }
  if (decision.force429) {
    c.set("injected", true);
    const forced = decision.force429;
    if (style === "pluralkit") {
      c.set("scope", "user");
      return c.json(
        {
          message: "429: too many requests",
          retry_after: Math.ceil(forced.retryAfterMs),
          scope: "message",
          code: 0,
        },
        429,
      );
    }
    if (style === "cdn") {
      c.header("Retry-After", String(Math.max(1, Math.ceil(forced.retryAfterMs / 1000))));
      return c.text("429: Too Many Requests", 429);
    }
    if (!forced.global) {
      const limit = ctx.options.routeLimits[route];
      const resetAt = ctx.now() + forced.retryAfterMs;
      setBucketHeaders(c, bucketHash(route), {
        ok: false,
        limit: limit.limit,
        remaining: 0,
        resetAt,
        resetAfterMs: forced.retryAfterMs,
      });
    }
    return discord429(c, {
      retryAfterMs: forced.retryAfterMs,
      scope: forced.global ? "global" : forced.scope,
    });
  }
  return null;
}

const SERVER_ERROR_TEXT: Record<number, string> = {
  500: "Internal Server Error",
  502: "Bad Gateway",
  503: "Service Unavailable",
  504: "Gateway Timeout",
};

/**
 * Wraps a Discord API handler. Every answer carries the route's bucket headers: the route's bucket
 * (by caller, route and major parameter) is resolved first, and the answers given before the request
 * reaches it — the strict User-Agent 403, injected faults, 401 — show it without taking a token.
 * Then come the caller's global limit, authentication (401 code 0), the bucket, and the handler.
 */
export function discordRoute(
  ctx: SimContext,
  spec: DiscordRouteSpec,
  handler: (c: SimHonoContext, principal: Principal | null) => Response | Promise<Response>,
): (c: SimHonoContext) => Promise<Response> {
  return async (c) => {
    c.set("route", spec.route);
    const principal = spec.auth === "none" ? null : authenticate(ctx, c, spec.auth);
    const limit = ctx.options.routeLimits[spec.route];
    // Buckets belong to whoever authenticates (bot or user), then route and major parameter.
    const key = `${spec.route}:${principal?.key ?? "-"}:${spec.major(c, principal)}`;
    const hash = bucketHash(spec.route);
    setBucketHeaders(c, hash, ctx.buckets.peek(key, limit));
    if (ctx.options.strictUserAgent && !(c.req.header("user-agent") ?? "").startsWith("DiscordBot")) {
      return c.text("error code: 1010", 403);
    }
    const faulted = await applyFaults(ctx, c, spec.route, "discord");
    if (faulted) return faulted;
    const { refused } = takeGlobal(ctx, c, principal);
    if (refused) return refused;
    if (spec.auth !== "none" && !principal) return discordError(c, DISCORD_ERRORS.unauthorized);
    const bucket = ctx.buckets.take(key, limit);
    setBucketHeaders(c, hash, bucket);
    if (!bucket.ok) return discord429(c, { retryAfterMs: bucket.resetAfterMs, scope: "user" });
    return handler(c, principal);
  };
}

/**
 * Answers a Discord API request that matches no route (404, 405, a discontinued API version) with
 * `error`. Only the caller's global limit applies to it: it counts there, and its rate-limit headers
 * describe the caller's global window (bucket {@link GLOBAL_BUCKET_HASH}).
 */
export function discordUnrouted(
  ctx: SimContext,
  error: { status: number; body: DiscordErrorBody },
): (c: SimHonoContext) => Response {
  return (c) => {
    const { refused, window } = takeGlobal(ctx, c, authenticate(ctx, c, "any"));
    if (refused) return refused;
    setBucketHeaders(c, GLOBAL_BUCKET_HASH, window);
    return discordError(c, error);
  };
}
