import { createCoalescingEventLog } from "@guildkit/core";
import {
  BROWSER_BINDING_MAX_AGE_SECONDS,
  browserBindingSecondsLeft,
  createBrowserBinding,
} from "./browser-binding";
import { normalizeEmail } from "./email";
import {
  AuthorizationDeniedError,
  IdentityProviderError,
  MissingCodeError,
  type OAuthFlow,
  OAuthFlowError,
  OAuthNotConfiguredError,
  StateTokenError,
} from "./errors";
import type {
  Clock,
  DiscordIdentity,
  DiscordIdentityProvider,
  DiscordProfile,
  EventLog,
  EventLogEntry,
  IoOptions,
  MemberAccounts,
  NonceStore,
  OAuthClient,
  OAuthClientSource,
} from "./ports";
import { STATE_LIFETIME_SECONDS, type StateTokens } from "./state-token";

/** The query of an OAuth callback: a `URLSearchParams` or a plain record. */
export type CallbackParams = URLSearchParams | Readonly<Record<string, string | null | undefined>>;

/** Everything the flow functions share (internal). */
export interface FlowContext {
  tokens: StateTokens;
  clock: Clock;
  client: OAuthClientSource;
  identity: DiscordIdentityProvider;
  members: MemberAccounts;
  nonces: NonceStore;
  /** The flows' event log, identical refusals collapsed (see {@link refusalLog}). */
  eventLog: EventLog;
  redirectUris: { link: string; login: string };
  authorizeUrl: string | undefined;
  onEventLogFailure: ((error: unknown, entry: EventLogEntry) => void) | undefined;
}

/** Who a failing callback concerned, for its event-log line. */
export interface Trace {
  memberId: string | null;
  discordUserId: string | null;
}

/** The `code`, `state` and `error` of a callback. */
export function readCallbackParams(params: CallbackParams): {
  code: string | null;
  state: string | null;
  error: string | null;
} {
  const get = (name: string): string | null => {
    const value = params instanceof URLSearchParams ? params.get(name) : params[name];
    return typeof value === "string" && value.length > 0 ? value : null;
  };
  return { code: get("code"), state: get("state"), error: get("error") };
}

/** Throws {@link AuthorizationDeniedError} when Discord sent an `error` back. */
export function rejectProviderError(error: string | null, flow: OAuthFlow): void {
  if (error === null) return;
  // Only the RFC 6749 shape is echoed back; anything else is reported as a generic error.
  const safe = /^[a-z_]{1,64}$/.test(error) ? error : "invalid_request";
  throw new AuthorizationDeniedError(safe, { flow });
}

/** The authorization code, or {@link MissingCodeError}. */
export function requireCode(code: string | null, flow: OAuthFlow): string {
  if (code === null || code.length > 512) throw new MissingCodeError({ flow });
  return code;
}

/** The OAuth client, or {@link OAuthNotConfiguredError}. */
export async function loadClient(ctx: FlowContext, flow: OAuthFlow, opts: IoOptions): Promise<OAuthClient> {
  const client = await ctx.client.load(opts);
  if (client === null || client.clientId.length === 0) throw new OAuthNotConfiguredError({ flow });
  return client;
}

/** How long a browser binding must still live when a flow starts: the flow's whole chain of states. */
const BINDING_NEEDED_SECONDS = {
  link: STATE_LIFETIME_SECONDS.link,
  login: STATE_LIFETIME_SECONDS.login + STATE_LIFETIME_SECONDS.signup,
} as const;

/**
 * The browser binding for a new flow and its cookie's `Max-Age`: the presented one while it has the
 * flow's whole chain left (its cookie keeps its original expiry: starting again never extends it),
 * else a fresh one.
 */
export function bindingFor(
  ctx: FlowContext,
  presented: string | null | undefined,
  flow: "link" | "login",
): { browserBinding: string; bindingMaxAgeSeconds: number } {
  const now = ctx.clock.now();
  const left = browserBindingSecondsLeft(presented, now);
  if (left >= BINDING_NEEDED_SECONDS[flow]) {
    return { browserBinding: presented as string, bindingMaxAgeSeconds: left };
  }
  return { browserBinding: createBrowserBinding(now), bindingMaxAgeSeconds: BROWSER_BINDING_MAX_AGE_SECONDS };
}

/** Spend a verified token's nonce, or throw `replayed`. */
export async function consumeNonce(
  ctx: FlowContext,
  state: { nonce: string; expiresAt: Date },
  flow: OAuthFlow,
  opts: IoOptions,
): Promise<void> {
  const fresh = await ctx.nonces.consume(
    { nonce: state.nonce, expiresAt: state.expiresAt, now: ctx.clock.now() },
    opts,
  );
  if (!fresh) throw new StateTokenError("replayed", { flow });
}

/**
 * Exchange the code through the identity provider, classifying failures as {@link IdentityProviderError}
 * (an {@link OAuthNotConfiguredError} from the provider — the settings were removed meanwhile — is kept).
 */
export async function exchangeCode(
  ctx: FlowContext,
  input: { code: string; codeVerifier: string; redirectUri: string },
  flow: OAuthFlow,
  opts: IoOptions,
): Promise<DiscordIdentity> {
  let identity: DiscordIdentity;
  try {
    identity = await ctx.identity.exchangeCode(input, opts);
  } catch (error) {
    if (error instanceof OAuthNotConfiguredError) throw new OAuthNotConfiguredError({ flow });
    throw classifyProviderError(error, flow, opts.signal);
  }
  if (
    typeof identity?.id !== "string" ||
    !/^\d{1,32}$/.test(identity.id) ||
    typeof identity.username !== "string" ||
    typeof identity.verified !== "boolean"
  ) {
    throw new IdentityProviderError("failed", { flow, status: null, retryable: false });
  }
  return identity;
}

/**
 * What the flows store about a Discord identity: the email only when Discord verified it, in the
 * {@link normalizeEmail} form (ASCII letters lower-cased, nothing else folded).
 */
export function toProfile(identity: DiscordIdentity): DiscordProfile {
  const email = normalizeEmail(identity.email ?? "");
  return {
    discordUserId: identity.id,
    email: identity.verified && email.includes("@") ? email : null,
    username: identity.username,
    globalName: identity.globalName ?? null,
    avatar: identity.avatar ?? null,
  };
}

/** Identical refusals within this many seconds of the first are written once, with a count. */
export const REFUSAL_WINDOW_SECONDS = 60;

/**
 * The flows' event log over `eventLog`: identical refusals (`oauth.error` entries) are collapsed so
 * that nobody can fill the event log by sending garbage to a callback. Refusals are identical when
 * their kind, level, flow, error code, reason, member and Discord account are (never the
 * attacker-chosen text): the first is written at once with `data.count: 1`; the others within
 * {@link REFUSAL_WINDOW_SECONDS} are only counted, and their number is written as one more row
 * (`data.count: n`, `data.collapsed: true`, `data.windowStart`) together with the next entry the flows
 * record once the window is over. Time comes from `clock`; there is no timer. The counts live in the
 * process (a restart drops the pending ones).
 */
export function refusalLog(eventLog: EventLog, clock: Clock): EventLog {
  return createCoalescingEventLog({
    eventLog,
    clock,
    windowMs: REFUSAL_WINDOW_SECONDS * 1000,
    keyOf(entry) {
      if (entry.kind !== "oauth.error") return null;
      const data = entry.data ?? {};
      return JSON.stringify([
        entry.kind,
        entry.level,
        data.flow ?? null,
        data.code ?? null,
        data.reason ?? null,
        entry.memberId ?? null,
        entry.discordUserId ?? null,
      ]);
    },
  });
}

/** Append to the event log; a failing log never changes the flow's outcome. */
export async function record(ctx: FlowContext, entry: EventLogEntry, opts: IoOptions): Promise<void> {
  try {
    await ctx.eventLog.append(entry, opts);
  } catch (error) {
    ctx.onEventLogFailure?.(error, entry);
  }
}

/**
 * Run one callback step: on failure, write one `oauth.error` line (code, reason — never a token or a
 * code; identical refusals collapsed, see {@link refusalLog}) and rethrow.
 */
export async function traced<T>(
  ctx: FlowContext,
  flow: OAuthFlow,
  trace: Trace,
  opts: IoOptions,
  step: () => Promise<T>,
): Promise<T> {
  try {
    return await step();
  } catch (error) {
    await record(ctx, failureEntry(flow, trace, error), opts);
    throw error;
  }
}

function failureEntry(flow: OAuthFlow, trace: Trace, error: unknown): EventLogEntry {
  const discordUserId =
    trace.discordUserId ?? (error as { discordUserId?: unknown } | null)?.discordUserId ?? null;
  const base = {
    memberId: trace.memberId,
    discordUserId: typeof discordUserId === "string" ? discordUserId : null,
  };
  if (!(error instanceof OAuthFlowError)) {
    const name = error instanceof Error ? error.name : typeof error;
    return {
      ...base,
      kind: "oauth.error",
      level: "error",
      message: `OAuth ${flow} callback failed unexpectedly (${name})`,
      data: { flow, code: "internal", error: name },
    };
  }
  const data: Record<string, unknown> = { flow, code: error.code };
  if ("reason" in error) data.reason = error.reason;
  if (error instanceof AuthorizationDeniedError) data.error = error.error;
  if (error instanceof IdentityProviderError) {
    data.status = error.status;
    data.retryable = error.retryable;
  }
  const level =
    error instanceof IdentityProviderError
      ? "error"
      : error instanceof AuthorizationDeniedError
        ? "info"
        : "warn";
  return { ...base, kind: "oauth.error", level, message: error.message, data };
}

function classifyProviderError(
  error: unknown,
  flow: OAuthFlow,
  signal: AbortSignal | undefined,
): IdentityProviderError {
  const fields = (error ?? {}) as { name?: unknown; status?: unknown; retryable?: unknown; code?: unknown };
  const status = typeof fields.status === "number" ? fields.status : null;
  const name = typeof fields.name === "string" ? fields.name : "";
  const code = typeof fields.code === "string" ? fields.code : "";
  const opts = { flow, status, cause: error };
  if (signal?.aborted && name !== "TimeoutError") {
    return new IdentityProviderError("aborted", { ...opts, retryable: false });
  }
  if (name === "TimeoutError" || /TIMEOUT/i.test(code)) {
    return new IdentityProviderError("timeout", { ...opts, retryable: true });
  }
  if (name === "AbortError") return new IdentityProviderError("aborted", { ...opts, retryable: false });
  if (status !== null && (status >= 500 || status === 429)) {
    return new IdentityProviderError("unavailable", { ...opts, retryable: true });
  }
  if (status !== null && status >= 400) {
    return new IdentityProviderError("rejected", { ...opts, retryable: false });
  }
  if (status === null && fields.retryable === true) {
    // Network errors (reset, refused) carry no status but are marked retryable.
    return new IdentityProviderError("unavailable", { ...opts, retryable: true });
  }
  return new IdentityProviderError("failed", { ...opts, retryable: fields.retryable === true });
}
