/**
 * The ports the OAuth flows run over. Adapters (the stores, the Discord client, the app) implement
 * them; `Clock`, `EventLog` and `IoOptions` come from `@guildkit/core`, shared with every guildkit
 * core, so one store object satisfies them all.
 */
import type { IoOptions } from "@guildkit/core";
import type { GrantedTokens } from "./member-token-ports";

export type { Clock, EventLog, EventLogEntry, IoOptions, Scheduler } from "@guildkit/core";

/**
 * Single-use nonces (the `jti` of every state token). A store records a nonce when it is consumed, so
 * starting a flow writes nothing.
 */
export interface NonceStore {
  /**
   * Record `nonce` as used. Resolves `true` the first time a nonce is consumed and `false` on every later
   * call, atomically (two concurrent calls: exactly one `true`). `expiresAt` is when the token carrying the
   * nonce expires; the record may be dropped after it.
   */
  consume(input: { nonce: string; expiresAt: Date; now: Date }, opts?: IoOptions): Promise<boolean>;
  /** Delete records whose `expiresAt` is at or before `now`; resolves how many were deleted. */
  purgeExpired(input: { now: Date }, opts?: IoOptions): Promise<number>;
}

/** The Discord user behind an authorization code (`GET /users/@me` with `identify email`). */
export interface DiscordIdentity {
  /** Discord user id (snowflake). */
  id: string;
  username: string;
  globalName: string | null;
  /** Avatar hash, or `null`. */
  avatar: string | null;
  /** The account's email, or `null` when not shared. Trusted only when `verified` is true. */
  email: string | null;
  /** Discord's `verified` flag for `email`. */
  verified: boolean;
}

/**
 * Exchanges an authorization code for the Discord user it was issued for. The adapter posts to
 * `/oauth2/token` (form-encoded, with `code_verifier`), reads `/users/@me`, and should revoke the
 * access token afterwards (the flows need nothing else from it).
 *
 * Failures are thrown; the flows classify them structurally by `status: number | null`,
 * `retryable: boolean` and `name` (`TimeoutError`, `AbortError`), as `@guildkit/discord-rest` errors carry.
 *
 * @see https://discord.com/developers/docs/topics/oauth2#authorization-code-grant
 */
export interface DiscordIdentityProvider {
  exchangeCode(
    input: {
      code: string;
      codeVerifier: string;
      redirectUri: string;
      /**
       * Hand the tokens over in `grant` instead of revoking them (the flows ask when extra scopes are
       * configured and a `MemberTokenStore` keeps them). Absent or false: revoke as before.
       */
      keepGrant?: boolean;
    },
    opts?: IoOptions,
  ): Promise<ExchangedIdentity>;
}

/** What {@link DiscordIdentityProvider.exchangeCode} resolves: the user, and the tokens when asked to keep them. */
export interface ExchangedIdentity extends DiscordIdentity {
  /** The token pair (secret), only when `keepGrant` was asked; `null` or absent otherwise. */
  grant?: GrantedTokens | null;
}

/** A member as the flows see it. */
export interface MemberAccount {
  memberId: string;
  /** The linked Discord account, or `null`. */
  discordUserId: string | null;
}

/** What the flows store about a Discord account on the member row. */
export interface DiscordProfile {
  discordUserId: string;
  /**
   * The address Discord verified, in `normalizeEmail` form (ASCII letters lower-cased), or `null` (then
   * any stored Discord email is cleared).
   */
  email: string | null;
  username: string;
  globalName: string | null;
  /**
   * Discord's account avatar hash now, or `null`. Not the hash of downloaded bytes: a store that keeps
   * the role reconciler's avatar (bytes and hash together) must not store it there.
   */
  avatar: string | null;
}

/** Outcome of {@link MemberAccounts.linkDiscord}. */
export type LinkDiscordResult =
  | { linked: true }
  | { linked: false; reason: "discord_account_taken" | "member_not_found" };

/** Outcome of {@link MemberAccounts.create}. */
export type CreateMemberResult =
  | { created: true; memberId: string }
  | { created: false; reason: "discord_account_taken" | "email_taken" };

/** The member side of the flows, over the host application's `members` table. */
export interface MemberAccounts {
  /** The member linked to this Discord account, or `null`. */
  findByDiscordUserId(input: { discordUserId: string }, opts?: IoOptions): Promise<MemberAccount | null>;
  /**
   * The member whose own email is `email`, or `null`. `email` comes in `normalizeEmail` form: compare it
   * with the stored address lower-cased the same way — ASCII letters only, never Unicode case folding
   * (which turns `\u212Aelly@…`, with a Kelvin sign, into `kelly@…`).
   * Return a member only when the host trusts that member's address (confirmed at signup, say): the
   * login flow signs the person in as that member because Discord verified the same address.
   */
  findByVerifiedEmail(input: { email: string }, opts?: IoOptions): Promise<MemberAccount | null>;
  /**
   * The member `memberId` with its linked Discord account (and that account's stored name), or `null`
   * when there is no such member. The link flow reads it to ask before replacing a linked account.
   */
  findByMemberId(input: { memberId: string }, opts?: IoOptions): Promise<LinkedAccount | null>;
  /**
   * Link (or refresh the link of) `memberId` to the Discord account in `profile`: store the Discord id,
   * email (or clear it when `null`), username and the avatar (see {@link DiscordProfile.avatar}; an
   * avatar of a previously linked account must not stay). Must refuse, atomically, a Discord account
   * linked to another member (`discord_account_taken`, nothing written), and report a missing member
   * (`member_not_found`). The flows call it inside {@link AccountTransactions.run}, which marks the
   * member due for sync in the same transaction.
   */
  linkDiscord(
    input: { memberId: string; profile: DiscordProfile; now: Date },
    opts?: IoOptions,
  ): Promise<LinkDiscordResult>;
  /**
   * Create a member from a Discord account whose email Discord verified, linked to it. Report a unique
   * violation by what was taken: the Discord account (`discord_account_taken`) or, where the host's
   * schema makes the email unique, the email (`email_taken`). Called inside
   * {@link AccountTransactions.run}, like `linkDiscord`.
   */
  create(
    input: { profile: DiscordProfile & { email: string }; now: Date },
    opts?: IoOptions,
  ): Promise<CreateMemberResult>;
}

/**
 * Marks members due for role and avatar/display-name sync. Role sync's queue is one
 * (`SyncQueue.markDue` of `@guildkit/role-reconciler`, `store.roleSync.queue` of the stores).
 */
export interface SyncDueMarker {
  markDue(input: { memberIds: string[]; now: Date }, opts?: IoOptions): Promise<unknown>;
}

/** The ports one transaction of {@link AccountTransactions} binds: every write through them commits together. */
export interface AccountWrites {
  accounts: Pick<MemberAccounts, "linkDiscord" | "create">;
  syncDue: SyncDueMarker;
}

/**
 * Runs the writes of a link or a member creation as one transaction: the flows write the member row
 * through `accounts` and, when it was written, mark the member due through `syncDue`, so a link is
 * never stored without its sync being due. With the SQL stores: `store.transaction` binding
 * `oauth.memberAccounts` and `roleSync.queue`. `fn` rejecting rolls everything back.
 */
export interface AccountTransactions {
  run<T>(fn: (tx: AccountWrites) => Promise<T>, opts?: IoOptions): Promise<T>;
}

/** A member and the Discord account linked to it, as {@link MemberAccounts.findByMemberId} returns it. */
export interface LinkedAccount extends MemberAccount {
  /** The linked account's stored display name, or `null`. */
  discordUsername: string | null;
}

/** A session as the {@link SessionStore} keeps it. */
export interface StoredSession {
  memberId: string;
  createdAt: Date;
  /** When the session was last used (updated at most once a minute, see `createSessions`). */
  lastSeenAt: Date;
  /** When it stops being valid unless touched again (never past its absolute lifetime). */
  expiresAt: Date;
}

/**
 * Server-side sessions, keyed by a hash of the session id (the id itself, the cookie's value, is never
 * stored). `createSessions` holds the rules (ids, hashing, lifetimes, cookies); a store only keeps rows.
 * Revoking deletes: a revoked session and an absent one read the same.
 */
export interface SessionStore {
  /** Store a new session (`lastSeenAt` = `createdAt`). */
  create(
    input: { idHash: string; memberId: string; createdAt: Date; expiresAt: Date },
    opts?: IoOptions,
  ): Promise<void>;
  /** The session whose id hashes to `idHash`, or `null` when absent, revoked, or expired at `now`. */
  read(input: { idHash: string; now: Date }, opts?: IoOptions): Promise<StoredSession | null>;
  /**
   * Record a use: `lastSeenAt` = `now`, `expiresAt` = `expiresAt`, only while the session is still valid
   * at `now` (an expired or revoked one is never revived). Resolves whether a session was touched.
   */
  touch(input: { idHash: string; now: Date; expiresAt: Date }, opts?: IoOptions): Promise<boolean>;
  /** Revoke one session; resolves whether it existed. */
  revoke(input: { idHash: string }, opts?: IoOptions): Promise<boolean>;
  /** Revoke every session of `memberId` but `exceptIdHash` (when given); resolves how many. */
  revokeMember(input: { memberId: string; exceptIdHash?: string | null }, opts?: IoOptions): Promise<number>;
  /** Delete sessions expired at `now`; resolves how many. */
  purgeExpired(input: { now: Date }, opts?: IoOptions): Promise<number>;
}

/** The OAuth2 application, loaded per use (so a change in settings needs no restart). */
export interface OAuthClient {
  /** Discord application (client) id. */
  clientId: string;
  /**
   * Scopes asked for besides `identify email` (`role_connections.write`, `guilds.join`; the `discord`
   * setting `oauth_extra_scopes`). With any, the grant is kept for the member (see `memberTokens`).
   */
  scopes?: readonly string[];
}

/** Where the OAuth2 application's settings come from. */
export interface OAuthClientSource {
  /**
   * The application, or `null` when login with Discord is not configured (resolve `null` unless both the
   * client id and the client secret are set).
   */
  load(opts?: IoOptions): Promise<OAuthClient | null>;
}
