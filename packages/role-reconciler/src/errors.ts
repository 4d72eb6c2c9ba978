import { isRetryableError, retryAfterMsOf } from "@guildkit/core";

/** Entitlement rules given as configuration data are invalid. */
export class EntitlementRulesError extends Error {
  override readonly name = "EntitlementRulesError";
  readonly code = "invalid_entitlement_rules";
  /** Every problem found, as `path: message`. */
  readonly issues: string[];

  constructor(issues: string[]) {
    super(`invalid entitlement rules: ${issues.join("; ")}; fix the role settings`);
    this.issues = issues;
  }
}

/** The role-sync settings are unusable (e.g. a sync interval outside 1–168 hours). */
export class RoleSyncSettingsError extends Error {
  override readonly name = "RoleSyncSettingsError";
  readonly code = "invalid_role_sync_settings";
  /** The offending setting. */
  readonly setting: string;

  constructor(setting: string, message: string) {
    super(message);
    this.setting = setting;
  }
}

/** The Discord calls the reconciler makes, used to classify their failures. */
export type DiscordOperation =
  | "get_member"
  | "list_members"
  | "add_role"
  | "remove_role"
  | "remove_member"
  | "fetch_avatar";

/** The structural fields of a Discord client error (`DiscordApiError` of `@guildkit/discord-rest`). */
export interface DiscordErrorFields {
  status: number | null;
  code: number | null;
  retryable: boolean | null;
  retryAfterMs: number | null;
  route: string | null;
  message: string;
}

/**
 * Reads the error contract of `@guildkit/core` (`RetryableError`: `retryable`, `retryAfterMs`,
 * `status`, `code`) with its type guard, plus the route a Discord client names; an error outside
 * the contract (a reset socket, a bug) has every field `null`, only its message.
 */
export function readErrorFields(error: unknown): DiscordErrorFields {
  const message = error instanceof Error ? error.message : String(error);
  if (!isRetryableError(error)) {
    return { status: null, code: null, retryable: null, retryAfterMs: null, route: null, message };
  }
  const route = (error as { route?: unknown }).route;
  return {
    status: typeof error.status === "number" && Number.isFinite(error.status) ? error.status : null,
    code: typeof error.code === "number" && Number.isFinite(error.code) ? error.code : null,
    retryable: error.retryable,
    retryAfterMs: retryAfterMsOf(error),
    route: typeof route === "string" ? route : null,
    message,
  };
}

/** True for an abort (the caller's signal fired), which is neither a success nor a failure. */
export function isAbortError(error: unknown): boolean {
  if (typeof error !== "object" || error === null) return false;
  const name = (error as { name?: unknown }).name;
  return name === "AbortError" || name === "LeaseExpiredError";
}

/**
 * How a failure is handled.
 * - `aborted`: stop; the member is released, not recorded.
 * - `not_in_guild`: the account is not in the guild; no retry before the normal interval.
 * - `transient`: retry with exponential backoff (429, 5xx, timeouts, resets).
 * - `permanent`: record the reason and do not hammer. `scope` says what is broken: one `role`
 *   (hierarchy, unknown role), the whole `guild` (token, bot not in guild), `bulk` listing only
 *   (the Server Members intent), or this `member` only.
 */
export type ErrorVerdict =
  | { kind: "aborted"; reason: string }
  | { kind: "not_in_guild"; reason: string }
  | { kind: "transient"; reason: string; retryAfterMs: number | null }
  | { kind: "permanent"; scope: "role" | "guild" | "bulk" | "member"; reason: string };

/** What was being attempted when an error happened. */
export interface ErrorContext {
  operation: DiscordOperation;
  guildId: string;
  roleId?: string | null;
  userId?: string | null;
}

function describe(fields: DiscordErrorFields): string {
  const parts = [
    fields.status === null ? null : `HTTP ${fields.status}`,
    fields.code === null ? null : `code ${fields.code}`,
  ].filter(Boolean);
  return parts.length > 0 ? `${parts.join(", ")}: ${fields.message}` : fields.message;
}

/**
 * Classifies a failed Discord call by the structural fields of the error (never by its class, so
 * the core does not depend on the REST adapter). Messages say what happened and what to do.
 */
export function classifyDiscordError(error: unknown, context: ErrorContext): ErrorVerdict {
  if (isAbortError(error)) return { kind: "aborted", reason: "aborted" };
  const fields = readErrorFields(error);
  const detail = describe(fields);
  const role = context.roleId ?? "?";

  if (fields.code === 10007 || fields.code === 10013) {
    return {
      kind: "not_in_guild",
      reason: `the account is not a member of guild ${context.guildId} (${detail})`,
    };
  }
  if (fields.status === 429) {
    return {
      kind: "transient",
      reason: `rate limited by Discord (${detail})`,
      retryAfterMs: fields.retryAfterMs,
    };
  }
  if (fields.code === 10011) {
    return {
      kind: "permanent",
      scope: "role",
      reason: `role ${role} does not exist in guild ${context.guildId} (${detail}); update the role settings`,
    };
  }
  if (fields.code === 50013) {
    if (context.operation === "remove_member") {
      return {
        kind: "permanent",
        scope: "member",
        reason:
          `missing permissions to kick user ${context.userId ?? "?"} (${detail}): the bot needs Kick Members ` +
          "and a role above the member's highest role (the owner cannot be kicked); or set on-lapse back to remove",
      };
    }
    if (context.operation === "add_role" || context.operation === "remove_role") {
      return {
        kind: "permanent",
        scope: "role",
        reason:
          `missing permissions for role ${role} (${detail}): the bot needs Manage Roles and its highest ` +
          `role must sit above role ${role}; move the bot's role above it in Server Settings → Roles`,
      };
    }
    return {
      kind: "permanent",
      scope: "guild",
      reason: `missing permissions in guild ${context.guildId} (${detail}); check the bot's permissions`,
    };
  }
  if (fields.code === 50001) {
    if (context.operation === "list_members") {
      return {
        kind: "permanent",
        scope: "bulk",
        reason:
          `cannot list the members of guild ${context.guildId} (${detail}); enable the Server Members ` +
          "intent for the bot in the Developer Portal (members are checked one by one meanwhile)",
      };
    }
    return {
      kind: "permanent",
      scope: "guild",
      reason: `missing access to guild ${context.guildId} (${detail}); invite the bot to the guild`,
    };
  }
  if (fields.status === 401 || fields.code === 40001 || fields.code === 50014) {
    return {
      kind: "permanent",
      scope: "guild",
      reason: `Discord rejected the bot token (${detail}); set a valid bot token in the settings`,
    };
  }
  if (fields.code === 10004) {
    return {
      kind: "permanent",
      scope: "guild",
      reason: `guild ${context.guildId} does not exist or the bot cannot see it (${detail}); check the guild id`,
    };
  }
  if (fields.retryable === true) {
    return {
      kind: "transient",
      reason: `Discord call failed, will retry (${detail})`,
      retryAfterMs: fields.retryAfterMs,
    };
  }
  if (fields.status !== null && fields.status >= 500) {
    return {
      kind: "transient",
      reason: `Discord server error, will retry (${detail})`,
      retryAfterMs: fields.retryAfterMs,
    };
  }
  if (fields.status === null && fields.retryable === null) {
    // Timeouts, connection resets and other failures without an HTTP answer.
    return { kind: "transient", reason: `request failed, will retry (${detail})`, retryAfterMs: null };
  }
  return {
    kind: "permanent",
    scope: "member",
    reason: `Discord refused ${context.operation} for user ${context.userId ?? "?"} (${detail})`,
  };
}

/** The lease on a member ran out while it was being processed; its calls were aborted. */
export class LeaseExpiredError extends Error {
  override readonly name = "LeaseExpiredError";
  readonly code = "lease_expired";
  readonly memberId: string;
  readonly leaseExpiresAt: Date;

  constructor(memberId: string, leaseExpiresAt: Date) {
    super(
      `the lease on member ${memberId} expired at ${leaseExpiresAt.toISOString()}; another worker may take it over`,
    );
    this.memberId = memberId;
    this.leaseExpiresAt = leaseExpiresAt;
  }
}
