import type { MessageAuthor } from "./events";
import type { PkMessage, ProxyMemberRecord } from "./ports";

/** How a relay shows a proxied message's author. */
export interface PluralKitIdentity {
  /** Stable key from the member uuid (`pk:<uuid>`); null when no member is known (see `resolved`). */
  key: string | null;
  /** The member's handle, `_pk_<member id>` by default; null when no member is known. */
  handle: string | null;
  displayName: string;
  avatarUrl: string | null;
  memberId: string | null;
  memberUuid: string | null;
  systemId: string | null;
  systemUuid: string | null;
  /** The Discord user who triggered the proxy; null when PluralKit did not say. */
  senderUserId: string | null;
  /**
   * False when PluralKit could not be reached: the webhook's own name and avatar stand in, and
   * the message is queued so the identity is resolved later. True otherwise (including a deleted
   * member, where the webhook profile is all there is to know).
   */
  resolved: boolean;
}

/** The parts a display name is built from. */
export interface DisplayNameParts {
  /** `display_name` when the member set one, else `name`. */
  name: string;
  memberName: string;
  memberDisplayName: string | null;
  pronouns: string | null;
  systemName: string | null;
  systemTag: string | null;
}

/** How identities are mapped. */
export interface IdentityOptions {
  /** Prefix of the handle (default `_pk_`). */
  handlePrefix?: string;
  /** Builds the display name (default {@link defaultDisplayName}: `Name [pronouns]`). */
  formatDisplayName?: (parts: DisplayNameParts) => string;
  /** Discord CDN base used for a webhook's avatar in the fallback (default `https://cdn.discordapp.com`). */
  cdnBaseUrl?: string;
}

/**
 * `Name [pronouns]`, or `Name` when the member has no pronouns. `Name` is the member's
 * `display_name` when set — PluralKit itself shows it as the webhook name, and members set it to
 * be shown — otherwise their `name`.
 */
export function defaultDisplayName(parts: DisplayNameParts): string {
  const pronouns = parts.pronouns?.trim();
  return pronouns ? `${parts.name} [${pronouns}]` : parts.name;
}

/** The stable key of a member: `pk:<uuid>`. */
export function memberKey(memberUuid: string): string {
  return `pk:${memberUuid}`;
}

/** The webhook's own profile, used when PluralKit cannot tell who posted. */
export interface WebhookProfile {
  webhookId: string;
  username: string;
  avatarUrl: string | null;
}

/** The profile a webhook message was sent with (its author fields). */
export function webhookProfile(
  author: MessageAuthor,
  webhookId: string,
  opts: Pick<IdentityOptions, "cdnBaseUrl"> = {},
): WebhookProfile {
  const cdn = (opts.cdnBaseUrl ?? "https://cdn.discordapp.com").replace(/\/+$/, "");
  const avatarUrl = author.avatar
    ? `${cdn}/avatars/${webhookId}/${author.avatar}.${author.avatar.startsWith("a_") ? "gif" : "png"}`
    : null;
  return { webhookId, username: author.username, avatarUrl };
}

/** The identity to use when PluralKit has no member for the message, or cannot be reached. */
export function fallbackIdentity(
  profile: WebhookProfile,
  opts: { resolved: boolean; senderUserId?: string | null },
): PluralKitIdentity {
  return {
    key: null,
    handle: null,
    displayName: profile.username,
    avatarUrl: profile.avatarUrl,
    memberId: null,
    memberUuid: null,
    systemId: null,
    systemUuid: null,
    senderUserId: opts.senderUserId ?? null,
    resolved: opts.resolved,
  };
}

/**
 * Maps PluralKit's answer for a proxied message to the identity a relay shows: key from the
 * member uuid, handle `_pk_<member id>`, display name `Name [pronouns]`, avatar
 * `webhook_avatar_url` → `avatar_url` → the system's → the webhook's. A null message (PluralKit
 * does not know it) or a deleted member yields the webhook profile, resolved.
 */
export function mapIdentity(
  message: PkMessage | null,
  profile: WebhookProfile,
  opts: IdentityOptions = {},
): PluralKitIdentity {
  const member = message?.member ?? null;
  if (!message || !member) {
    return fallbackIdentity(profile, { resolved: true, senderUserId: message?.sender ?? null });
  }
  const system = message.system;
  const format = opts.formatDisplayName ?? defaultDisplayName;
  const displayName = format({
    name: member.display_name?.trim() ? member.display_name : member.name,
    memberName: member.name,
    memberDisplayName: member.display_name,
    pronouns: member.pronouns,
    systemName: system?.name ?? null,
    systemTag: system?.tag ?? null,
  });
  return {
    key: memberKey(member.uuid),
    handle: `${opts.handlePrefix ?? "_pk_"}${member.id}`,
    displayName,
    avatarUrl: member.webhook_avatar_url || member.avatar_url || system?.avatar_url || profile.avatarUrl,
    memberId: member.id,
    memberUuid: member.uuid,
    systemId: system?.id ?? null,
    systemUuid: system?.uuid ?? null,
    senderUserId: message.sender || null,
    resolved: true,
  };
}

/** The identity-cache row of a resolved member identity; null when it has no member. */
export function toMemberRecord(identity: PluralKitIdentity): ProxyMemberRecord | null {
  if (!identity.key || !identity.handle || !identity.memberId || !identity.memberUuid) return null;
  return {
    key: identity.key,
    memberId: identity.memberId,
    memberUuid: identity.memberUuid,
    systemId: identity.systemId,
    systemUuid: identity.systemUuid,
    handle: identity.handle,
    displayName: identity.displayName,
    avatarUrl: identity.avatarUrl,
  };
}
