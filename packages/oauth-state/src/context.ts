import { buildAuthorizeUrl, DISCORD_OAUTH_SCOPES } from "./authorize-url";
import {
  BROWSER_BINDING_MAX_AGE_SECONDS,
  type BrowserBindings,
  type VerifiedBrowserBinding,
} from "./browser-binding";
import { normalizeEmail } from "./email";
import { type OAuthFlow, OAuthNotConfiguredError } from "./errors";
import type { GuildJoiner, MemberGrantClient, MemberTokenStore } from "./member-token-ports";
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
import { STATE_LIFETIME_SECONDS, type StatePayloads, type StateTokens } from "./state-token";

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
  /** The flows' event log, identical refusals collapsed (see `refusalLog`). */
  eventLog: EventLog;
  redirectUris: { link: string; login: string };
  authorizeUrl: string | undefined;
  onEventLogFailure: ((error: unknown, entry: EventLogEntry) => void) | undefined;
  /** Where grants with extra scopes are kept, and the endpoint that revokes those not kept. */
  memberTokens: { store: MemberTokenStore; client: MemberGrantClient } | undefined;
  /** Adds a member who linked with `guilds.join` to the guild. */
  guildJoiner: GuildJoiner | undefined;
}

/** Who a failing callback concerned, for its event-log line. */
export interface Trace {
  memberId: string | null;
  discordUserId: string | null;
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
      scopes: [...new Set([...DISCORD_OAUTH_SCOPES, ...(client.scopes ?? [])])],
    }),
    browserBinding: binding.value,
    bindingMaxAgeSeconds,
    expiresAt: signed.expiresAt,
  };
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
