import { errnoOf } from "@guildkit/core";
import { request as undiciRequest } from "undici";
import type { BucketReservation } from "./bucket";
import type { ResponseHeaders } from "./headers";
import type { PipelineConfig, SendOptions } from "./pipeline-config";
import type { Route } from "./route";

/** What one HTTP attempt came to. */
export type Attempt =
  /** Not sent: the global pause or the bucket's exhaustion came in between; reacquire. */
  | { kind: "deferred" }
  | {
      kind: "answer";
      status: number;
      headers: ResponseHeaders;
      text: string | null;
      bytes: Uint8Array | null;
    }
  /** No answer: timed out, aborted by the caller (or the client closed), or the connection failed. */
  | { kind: "failed"; timedOut: boolean; aborted: boolean; error: unknown };

const UNDICI_TIMEOUTS = new Set([
  "UND_ERR_HEADERS_TIMEOUT",
  "UND_ERR_BODY_TIMEOUT",
  "UND_ERR_CONNECT_TIMEOUT",
]);

/** `base + path`, with the query's defined values appended. */
export function buildUrl(base: string, path: string, query: SendOptions["query"]): string {
  let url = base.replace(/\/+$/, "") + path;
  if (query) {
    const params = new URLSearchParams();
    for (const [key, value] of Object.entries(query)) {
      if (value !== undefined && value !== null) params.set(key, String(value));
    }
    const qs = params.toString();
    if (qs) url += (url.includes("?") ? "&" : "?") + qs;
  }
  return url;
}

/** Parsed JSON, or null when empty or not JSON. */
export function parseJson(text: string | null): unknown {
  if (!text) return null;
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

function requestHeaders(config: PipelineConfig, route: Route, options: SendOptions) {
  const headers: Record<string, string> = { "user-agent": config.userAgent, ...options.headers };
  if (route.auth) headers.authorization = `Bot ${config.token}`;
  let body: string | undefined;
  if (options.body !== undefined) {
    body = JSON.stringify(options.body);
    headers["content-type"] = "application/json";
  }
  return { headers, body };
}

/**
 * One HTTP attempt (undici), in the request budget's slot: re-checks the pause and the bucket, then
 * sends with a per-attempt timeout (`AbortSignal.timeout`) combined with the caller's signal.
 * Frees the reservation on every outcome but an answer (the caller settles it with the headers).
 */
export async function sendAttempt(
  config: PipelineConfig,
  gate: { pausedUntil(): number | null },
  route: Route,
  reservation: BucketReservation,
  options: SendOptions,
): Promise<Attempt> {
  if (config.isClosed()) {
    reservation.cancel();
    return { kind: "failed", timedOut: false, aborted: true, error: null };
  }
  if (gate.pausedUntil() !== null || reservation.blocked()) {
    reservation.cancel();
    return { kind: "deferred" };
  }
  const timeout = AbortSignal.timeout(config.timeoutMs);
  const signal = options.signal ? AbortSignal.any([options.signal, timeout]) : timeout;
  const { headers, body } = requestHeaders(config, route, options);
  const base = options.base === "cdn" ? config.cdnBaseUrl : config.apiBaseUrl;
  config.stats.counters.requests += 1;
  const sentAt = config.clock.now().getTime();
  const elapsed = () => config.clock.now().getTime() - sentAt;
  try {
    const response = await undiciRequest(buildUrl(base, route.path, options.query), {
      method: route.method,
      headers,
      body,
      signal,
      dispatcher: config.dispatcher,
    });
    const ok = response.statusCode >= 200 && response.statusCode < 300;
    let text: string | null = null;
    let bytes: Uint8Array | null = null;
    if (ok && options.expect === "bytes") bytes = new Uint8Array(await response.body.arrayBuffer());
    else text = await response.body.text();
    config.observer.response(route, response.statusCode, elapsed());
    return { kind: "answer", status: response.statusCode, headers: response.headers, text, bytes };
  } catch (error) {
    reservation.cancel();
    const timedOut = timeout.aborted || UNDICI_TIMEOUTS.has(errnoOf(error) ?? "");
    if (options.signal?.aborted !== true) config.observer.response(route, 0, elapsed());
    return { kind: "failed", timedOut, aborted: options.signal?.aborted === true, error };
  }
}
