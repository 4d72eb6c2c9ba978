/**
 * The ports of role connections (Linked Roles): the store's push queue and the Discord call. The
 * SQL stores implement {@link RoleConnectionQueue} (`store.roleConnections`), the memory fake is
 * `createMemoryRoleConnectionQueue` of `@guildkit/role-reconciler/testing`; `@guildkit/discord-rest`'s
 * `createRoleConnectionClient` implements {@link RoleConnectionClient}.
 */
import type { IoOptions } from "@guildkit/core";
import type { MetadataValues } from "./values";

/**
 * Where a member's role connection stands after its last push.
 * - `synced`: Discord holds the desired metadata (or nothing, when cleared).
 * - `retrying`: a transient failure (429, 5xx, network); retried with backoff.
 * - `no_grant`: no OAuth grant is kept for the member (never linked with `role_connections.write`,
 *   unlinked); skipped until a grant arrives (`markDue`).
 * - `needs_consent`: Discord refused the token and its refresh; the member must link again.
 * - `permanent_error`: Discord refused the body (e.g. the schema is not registered); re-tried later.
 */
export type RoleConnectionState = "synced" | "retrying" | "no_grant" | "needs_consent" | "permanent_error";

/** Every {@link RoleConnectionState}, in display order. */
export const ROLE_CONNECTION_STATES: readonly RoleConnectionState[] = [
  "synced",
  "retrying",
  "no_grant",
  "needs_consent",
  "permanent_error",
];

/** One member's role connection row. */
export interface RoleConnectionEntry {
  memberId: string;
  /** The Discord account the member linked when its desired values were last recorded. */
  discordUserId: string | null;
  /** What the member should have on Discord; `null`: nothing (the connection is cleared). */
  desired: MetadataValues | null;
  /** What was last pushed successfully; `null`: nothing pushed, or cleared. */
  pushed: MetadataValues | null;
  /** `null` before the first push. */
  state: RoleConnectionState | null;
  /** Consecutive failed attempts (0 after a success). */
  attempts: number;
  lastError: string | null;
  /** When the member is due; `null` when nothing is to do. */
  nextDueAt: Date | null;
  /** When the last successful push was made (per-user pacing). */
  pushedAt: Date | null;
  /** Bumped each time the desired values change; a completion keeps the member due when it moved. */
  version: number;
}

/** A claimed row, with its lease. */
export interface RoleConnectionItem extends RoleConnectionEntry {
  leaseOwner: string;
  leaseExpiresAt: Date;
}

/** What {@link RoleConnectionQueue.complete} records. */
export interface RoleConnectionOutcome {
  state: RoleConnectionState;
  /** Now on Discord after a successful push (`null`: cleared); omitted: unchanged. */
  pushed?: MetadataValues | null;
  /** Set with `pushed`: the time of the push. */
  pushedAt?: Date;
  /** Next time due; `null`: not due until the desired values change or `markDue`. */
  nextDueAt: Date | null;
  attempts: number;
  lastError: string | null;
}

/** A member's desired values, as computed from the entitlement rules. */
export interface DesiredConnection {
  memberId: string;
  discordUserId: string | null;
  desired: MetadataValues | null;
}

/**
 * The role connection push queue, kept by the store: one row per member with desired and pushed
 * metadata, a due time, a lease and backoff, so pushes survive restarts and several workers share
 * the work without pushing one member twice at a time.
 */
export interface RoleConnectionQueue {
  /**
   * Records members' desired values. A member whose desired values changed becomes due now (a member
   * in backoff keeps its retry time) and its version is bumped; unchanged members are left alone, and
   * a member with no row whose desired value is `null` gets none. Resolves how many were made due.
   */
  setDesired(opts: { entries: readonly DesiredConnection[]; now: Date }, io?: IoOptions): Promise<number>;
  /**
   * Atomically leases up to `limit` members due at `now` whose lease is free or expired, oldest due
   * first. No member is returned to two owners with overlapping leases.
   */
  claimDue(
    opts: { owner: string; leaseMs: number; limit: number; now: Date },
    io?: IoOptions,
  ): Promise<RoleConnectionItem[]>;
  /**
   * Records the outcome and frees the lease, only while `item.leaseOwner` holds it; when the version
   * moved since the claim the member stays due now. `false` when the lease was lost (nothing written).
   */
  complete(item: RoleConnectionItem, outcome: RoleConnectionOutcome, io?: IoOptions): Promise<boolean>;
  /** Frees the lease without recording anything (the member stays due). `false` when the lease was lost. */
  release(item: RoleConnectionItem, io?: IoOptions): Promise<boolean>;
  /** Makes members due now, by id and/or state (e.g. `no_grant` when grants arrived). Resolves the number. */
  markDue(
    opts: { now: Date; memberIds?: readonly string[]; states?: readonly RoleConnectionState[] },
    io?: IoOptions,
  ): Promise<number>;
  /** One member's row, or `null`. */
  get(opts: { memberId: string }, io?: IoOptions): Promise<RoleConnectionEntry | null>;
  /** Members due at `now`, leased or not. */
  countDue(opts: { now: Date }, io?: IoOptions): Promise<number>;
  /** Members per recorded state (states nobody is in are absent). */
  countByState(io?: IoOptions): Promise<Partial<Record<RoleConnectionState, number>>>;
}

/** The body of a user's role connection (`PUT /users/@me/applications/{id}/role-connection`). */
export interface RoleConnectionBody {
  platform_name?: string;
  platform_username?: string;
  metadata: Record<string, string>;
}

/**
 * The Discord side of role connections, for one application. Failures follow `@guildkit/core`'s
 * error contract (`retryable`, `retryAfterMs`, `status`, `code`); a 401 means the token was refused.
 */
export interface RoleConnectionClient {
  /**
   * Replaces the user's role connection with the user's Bearer token (`role_connections.write`);
   * `{ metadata: {} }` with no platform fields clears it.
   * @see https://discord.com/developers/docs/resources/user#update-current-user-application-role-connection
   */
  putRoleConnection(opts: { accessToken: string; body: RoleConnectionBody }, io?: IoOptions): Promise<void>;
}
