import type { VerifiedBrowserBinding } from "./browser-binding";
import { type FlowContext, loadClient, type Trace } from "./context";
import {
  AuthorizationDeniedError,
  IdentityProviderError,
  MissingCodeError,
  type OAuthFlow,
  OAuthNotConfiguredError,
  StateTokenError,
} from "./errors";
import { wantsGrant } from "./grant-keeping";
import type { ExchangedIdentity, IoOptions } from "./ports";
import type { StateKind, VerifiedState } from "./state-token";

/** The query of an OAuth callback: a `URLSearchParams` or a plain record. */
export type CallbackParams = URLSearchParams | Readonly<Record<string, string | null | undefined>>;

/** What {@link openCallback} hands its flow: the verified state, the browser binding, the Discord user. */
export interface OpenedCallback<K extends "link" | "login"> {
  state: VerifiedState<K>;
  binding: VerifiedBrowserBinding;
  /** The Discord user, with the tokens in `grant` when they are to be kept (see `settleGrant`). */
  identity: ExchangedIdentity;
}

/**
 * The opening every OAuth callback (link and login) shares: Discord's error, the state (signature,
 * kind, expiry, browser, then the flow's own `checkState`), the code, that OAuth is still configured —
 * before the nonce is spent, so settings removed since the start answer "not configured", retryable —,
 * the nonce spent, the code exchanged with the PKCE verifier. Sets `trace.discordUserId`.
 */
export async function openCallback<K extends "link" | "login">(
  ctx: FlowContext,
  input: {
    flow: K;
    params: CallbackParams;
    browserBinding: string | null | undefined;
    trace: Trace;
    checkState?: (state: VerifiedState<K>) => void;
  },
  opts: IoOptions,
): Promise<OpenedCallback<K>> {
  const { flow } = input;
  const { code, state: token, error } = readCallbackParams(input.params);
  rejectProviderError(error, flow);
  const { state, binding } = await verifyState(ctx, token, flow, input.browserBinding);
  input.checkState?.(state);
  const authorizationCode = requireCode(code, flow);
  const client = await loadClient(ctx, flow, opts);
  await consumeNonce(ctx, state, flow, opts);
  const identity = await exchangeCode(
    ctx,
    {
      code: authorizationCode,
      codeVerifier: ctx.bindings.codeVerifier(binding, state.nonce),
      redirectUri: ctx.redirectUris[flow],
      ...(wantsGrant(ctx, client.scopes) ? { keepGrant: true } : {}),
    },
    flow,
    opts,
  );
  input.trace.discordUserId = identity.id;
  return { state, binding, identity };
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
  input: { code: string; codeVerifier: string; redirectUri: string; keepGrant?: boolean },
  flow: OAuthFlow,
  opts: IoOptions,
): Promise<ExchangedIdentity> {
  let identity: ExchangedIdentity;
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
