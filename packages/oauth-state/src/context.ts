import { createCoalescingEventLog } from "@guildkit/core";
import { buildAuthorizeUrl } from "./authorize-url";
import {
  BROWSER_BINDING_MAX_AGE_SECONDS,
  type BrowserBindings,
  type VerifiedBrowserBinding,
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
import { codeChallengeS256 } from "./pkce";
import type {
  AccountTransactions,
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
import {
  STATE_LIFETIME_SECONDS,
  type StateKind,
  type StatePayloads,
  type StateTokens,
  type VerifiedState,
} from "./state-token";

/** The query of an OAuth callback: a `URLSearchParams` or a plain record. */
export type CallbackParams = URLSearchParams | Readonly<Record<string, string | null | undefined>>;

/** Everything the flow functions share (internal). */
export interface FlowContext {
  tokens: StateTokens;
  /** Issues and verifies the browser bindings, and derives PKCE verifiers from them. */
  bindings: BrowserBindings;
  clock: Clock;
  client: OAuthClientSource;
  identity: DiscordIdentityProvider;
  members: MemberAccounts;
  /** Where links and created members are written, with their sync due mark, in one transaction. */
  transactions: AccountTransactions;
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
  link: STATE_LIFETIME_SECONDS.link + STATE_LIFETIME_SECONDS.replace,
  login: STATE_LIFETIME_SECONDS.login + STATE_LIFETIME_SECONDS.signup,
} as const;

/**
 * The browser binding for a new flow and its cookie's `Max-Age`: the presented one when this server
 * issued it (its MAC verifies) and it has the flow's whole chain left (its cookie keeps its original
 * expiry: starting again never extends it); else a fresh one — a binding the server did not issue is
 * replaced, never adopted.
 */
export function bindingFor(
  ctx: FlowContext,
  presented: string | null | undefined,
  flow: "link" | "login",
): { binding: VerifiedBrowserBinding; bindingMaxAgeSeconds: number } {
  const verified = ctx.bindings.verify(presented);
  if (verified !== null) {
    const left = ctx.bindings.secondsLeft(verified);
    if (left >= BINDING_NEEDED_SECONDS[flow]) return { binding: verified, bindingMaxAgeSeconds: left };
  }
  return { binding: ctx.bindings.issue(), bindingMaxAgeSeconds: BROWSER_BINDING_MAX_AGE_SECONDS };
}

/** A started flow: send the person to `authorizeUrl` and set the browser-binding cookie. */
export interface FlowStart {
  /** Discord's authorization page with `state`, PKCE S256 challenge, scopes and redirect URI. */
  authorizeUrl: string;
  /** Value of the browser-binding cookie (`HttpOnly; SameSite=Lax`; `Secure` on https). */
  browserBinding: string;
  /**
   * `Max-Age` for that cookie: `BROWSER_BINDING_MAX_AGE_SECONDS` for a fresh binding, what is left
   * of it for a reused one.
   */
  bindingMaxAgeSeconds: number;
  /** When the state expires. */
  expiresAt: Date;
}

/**
 * Start a flow of `kind`: check OAuth is configured, pick the browser binding ({@link bindingFor}),
 * sign the state, and build the authorization URL with the PKCE challenge of the derived verifier.
 */
export async function startFlow<K extends "link" | "login">(
  ctx: FlowContext,
  kind: K,
  payload: StatePayloads[K],
  presented: string | null | undefined,
  opts: IoOptions,
): Promise<FlowStart> {
  const client = await loadClient(ctx, kind, opts);
  const { binding, bindingMaxAgeSeconds } = bindingFor(ctx, presented, kind);
  const signed = await ctx.tokens.sign(kind, payload, { browserBinding: binding.value });
  return {
    authorizeUrl: buildAuthorizeUrl({
      authorizeUrl: ctx.authorizeUrl,
      clientId: client.clientId,
      redirectUri: ctx.redirectUris[kind],
      state: signed.token,
      codeChallenge: codeChallengeS256(ctx.bindings.codeVerifier(binding, signed.nonce)),
    }),
    browserBinding: binding.value,
    bindingMaxAgeSeconds,
    expiresAt: signed.expiresAt,
  };
}

/**
 * Verify a state token of `kind` (see `StateTokens.verify`) and the browser binding presented with it:
 * the token must name this binding, and the binding must be one this server issued (its PKCE verifier
 * is derived from it). Throws {@link StateTokenError}; writes nothing.
 */
export async function verifyState<K extends StateKind>(
  ctx: FlowContext,
  token: string | null | undefined,
  kind: K,
  browserBinding: string | null | undefined,
): Promise<{ state: VerifiedState<K>; binding: VerifiedBrowserBinding }> {
  const state = await ctx.tokens.verify(token, { kind, browserBinding });
  const binding = ctx.bindings.verify(browserBinding);
  if (binding === null) throw new StateTokenError("browser_mismatch", { flow: kind });
  return { state, binding };
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
