import { type Dispatcher, request as undiciRequest } from "undici";
import { DEFAULT_USER_AGENT, DISCORD_API_BASE_URL } from "../defaults";
import { DiscordNetworkError, DiscordTimeoutError } from "../errors";

/** An answer of a read the client has no method for. */
export interface ProbeAnswer {
  status: number;
  /** The parsed JSON body, or `null`. */
  json: unknown;
}

/** Reads the doctor needs beyond the client's public methods (each a single GET, never retried). */
export interface SetupProbe {
  /** `GET /users/@me` as the bot. */
  currentUser(signal?: AbortSignal): Promise<ProbeAnswer>;
  /** `GET /applications/@me` as the bot (flags, redirect URIs). */
  currentApplication(signal?: AbortSignal): Promise<ProbeAnswer>;
  /** `GET /webhooks/{id}/{token}`: the webhook by its token, nothing posted. */
  webhook(id: string, token: string, signal?: AbortSignal): Promise<ProbeAnswer>;
}

/**
 * The doctor's own reads. They run a handful of times per run, outside the client's budget, with
 * Discord's User-Agent; a timeout or refused connection throws the client's error types.
 */
export function createSetupProbe(options: {
  token: string;
  apiBaseUrl?: string;
  userAgent?: string;
  timeoutMs?: number;
  dispatcher?: Dispatcher;
}): SetupProbe {
  const base = (options.apiBaseUrl ?? DISCORD_API_BASE_URL).replace(/\/+$/, "");
  const timeoutMs = options.timeoutMs ?? 10_000;
  async function get(route: string, path: string, auth: boolean, signal?: AbortSignal): Promise<ProbeAnswer> {
    const timeout = AbortSignal.timeout(timeoutMs);
    const combined = signal ? AbortSignal.any([signal, timeout]) : timeout;
    try {
      const response = await undiciRequest(base + path, {
        method: "GET",
        headers: {
          "user-agent": options.userAgent ?? DEFAULT_USER_AGENT,
          accept: "application/json",
          ...(auth ? { authorization: `Bot ${options.token}` } : {}),
        },
        signal: combined,
        dispatcher: options.dispatcher,
      });
      const text = await response.body.text();
      let json: unknown = null;
      try {
        json = text ? JSON.parse(text) : null;
      } catch {
        json = null;
      }
      return { status: response.statusCode, json };
    } catch (error) {
      if (signal?.aborted) throw error;
      if (timeout.aborted)
        throw new DiscordTimeoutError(`${route} got no answer within ${timeoutMs} ms`, { route, timeoutMs });
      const errno = (error as { code?: unknown }).code;
      throw new DiscordNetworkError(`${route} failed to connect; check network access to Discord`, {
        route,
        errno: typeof errno === "string" ? errno : null,
        cause: error,
      });
    }
  }
  return {
    currentUser: (signal) => get("GET /users/@me", "/users/@me", true, signal),
    currentApplication: (signal) => get("GET /applications/@me", "/applications/@me", true, signal),
    webhook: (id, token, signal) =>
      get(
        "GET /webhooks/{webhook.id}/{webhook.token}",
        `/webhooks/${encodeURIComponent(id)}/${encodeURIComponent(token)}`,
        false,
        signal,
      ),
  };
}

/** Discord's `{ code, message }` of an error body, when there is one. */
export function discordCode(json: unknown): number | null {
  const code = (json as { code?: unknown } | null)?.code;
  return typeof code === "number" ? code : null;
}
