import { backoffMs, type Clock, type Scheduler } from "@guildkit/core";
import { type Dispatcher, request } from "undici";
import { parseResetHeader, type RequestBudget } from "./budget";
import { PluralKitApiError } from "./errors";
import { type PluralKitMessage, pluralKitErrorSchema, pluralKitMessageSchema } from "./schema";

/** What the fetcher needs (built once per client). */
export interface MessageFetcherConfig {
  baseUrl: string;
  userAgent: string;
  timeoutMs: number;
  retries: number;
  rateLimitRetries: number;
  dispatcher: Dispatcher | undefined;
  clock: Clock;
  scheduler: Scheduler;
  budget: RequestBudget;
  stats: { requests: number; rateLimited: number };
}

type Headers = Record<string, string | string[] | undefined>;
interface Answer {
  status: number;
  headers: Headers;
  body: unknown;
}

const ROUTE = "GET /messages/{id}";
/** PluralKit's window is one second; never trust a reset header further out than this. */
const MAX_RESET_WAIT_MS = 2_000;
/** 250 ms, 500 ms, … between attempts after a 5xx, a timeout or a network failure. */
const RETRY_BACKOFF = { baseMs: 250, capMs: 60_000, jitter: 0 };

function header(headers: Headers, name: string): string | null {
  const value = headers[name];
  return Array.isArray(value) ? (value[0] ?? null) : (value ?? null);
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

/**
 * `GET /messages/{id}` with the budget, retries and 429 handling: resolves the message, or null for
 * PluralKit's "not found" (404, code 20006); throws {@link PluralKitApiError} otherwise.
 */
export function createMessageFetcher(
  config: MessageFetcherConfig,
): (id: string) => Promise<PluralKitMessage | null> {
  const { budget, stats, timeoutMs } = config;
  const now = () => config.clock.now().getTime();
  const fail = (
    id: string,
    message: string,
    init: Omit<ConstructorParameters<typeof PluralKitApiError>[1], "route" | "messageId">,
  ) => new PluralKitApiError(message, { ...init, route: ROUTE, messageId: id });

  function observeLimits(headers: Headers): void {
    if (header(headers, "x-ratelimit-remaining") !== "0") return;
    const reset = parseResetHeader(header(headers, "x-ratelimit-reset"));
    if (reset !== null) budget.pauseUntil(Math.min(reset, now() + MAX_RESET_WAIT_MS));
  }

  /** One attempt: the answer, or the failure (timed out or not) when none arrived. */
  async function attempt(id: string): Promise<Answer | { failed: unknown; timedOut: boolean }> {
    await budget.acquire();
    const timeout = AbortSignal.timeout(timeoutMs);
    try {
      stats.requests++;
      const res = await request(`${config.baseUrl}/messages/${id}`, {
        method: "GET",
        headers: { "user-agent": config.userAgent, accept: "application/json" },
        signal: timeout,
        ...(config.dispatcher ? { dispatcher: config.dispatcher } : {}),
      });
      const text = await res.body.text();
      return { status: res.statusCode, headers: res.headers, body: text ? parseJson(text) : null };
    } catch (cause) {
      return { failed: cause, timedOut: timeout.aborted };
    }
  }

  /** The wait a 429 asks for: `retry_after` (ms), else the reset header (capped), else 1 s. */
  function rateLimitWait(answer: Answer, retryAfter: number | undefined): number {
    const reset = parseResetHeader(header(answer.headers, "x-ratelimit-reset"));
    return Math.max(0, retryAfter ?? (reset !== null ? Math.min(reset - now(), MAX_RESET_WAIT_MS) : 1_000));
  }

  /** The message, null, or the error of an answer other than 429 and 5xx. */
  function settle(id: string, answer: Answer, code: number | null, said: string): PluralKitMessage | null {
    const { status } = answer;
    if (status === 200) {
      const parsed = pluralKitMessageSchema.safeParse(answer.body);
      if (parsed.success) return parsed.data;
      throw fail(
        id,
        `PluralKit answered a message in an unexpected shape: ${parsed.error.issues[0]?.message}`,
        {
          reason: "invalid_response",
          status,
          retryable: false,
        },
      );
    }
    if (status === 404 && code === 20006) return null;
    if (status === 404) {
      throw fail(
        id,
        `PluralKit answered 404 without code 20006 for ${ROUTE}; is baseUrl (${config.baseUrl}) the v2 API?`,
        { reason: "invalid_response", status, retryable: false },
      );
    }
    throw fail(id, `PluralKit answered ${status}${said}`, {
      reason: "http_error",
      status,
      code,
      retryable: false,
    });
  }

  return async function fetchMessage(id) {
    let failures = 0;
    let limited = 0;
    for (;;) {
      const answer = await attempt(id);
      if ("failed" in answer) {
        failures++;
        if (failures > config.retries) {
          const message = answer.timedOut
            ? `PluralKit did not answer within ${timeoutMs} ms (${failures} attempts)`
            : `could not reach PluralKit at ${config.baseUrl} (${failures} attempts): ${(answer.failed as Error).message}`;
          throw fail(id, message, {
            reason: answer.timedOut ? "timeout" : "network",
            retryable: true,
            cause: answer.failed,
          });
        }
        await config.scheduler.sleep(backoffMs(failures, { policy: RETRY_BACKOFF }));
        continue;
      }
      observeLimits(answer.headers);
      const error = pluralKitErrorSchema.safeParse(answer.body);
      const code = error.success ? (error.data.code ?? null) : null;
      const { status } = answer;
      if (status === 429) {
        stats.rateLimited++;
        limited++;
        const wait = rateLimitWait(answer, error.success ? error.data.retry_after : undefined);
        budget.pauseUntil(now() + wait);
        if (limited > config.rateLimitRetries) {
          throw fail(id, `PluralKit kept answering 429 Too Many Requests; retry after ${wait} ms`, {
            reason: "rate_limited",
            status,
            code,
            retryable: true,
            retryAfterMs: wait,
          });
        }
        continue;
      }
      if (status >= 500) {
        failures++;
        if (failures > config.retries) {
          throw fail(id, `PluralKit answered ${status} (${failures} attempts)`, {
            reason: "server_error",
            status,
            code,
            retryable: true,
          });
        }
        await config.scheduler.sleep(backoffMs(failures, { policy: RETRY_BACKOFF }));
        continue;
      }
      return settle(id, answer, code, error.success && error.data.message ? `: ${error.data.message}` : "");
    }
  };
}
