import type { MemberView } from "./bulk";
import type { AvatarRef, StoredProfile } from "./ports";

function nonBlank(value: string | null): string | null {
  return value !== null && value.trim() !== "" ? value : null;
}

/** The name shown for a member: guild nick > global name > username. */
export function displayNameOf(member: MemberView): string {
  return nonBlank(member.nick) ?? nonBlank(member.globalName) ?? member.username;
}

/** The avatar shown for a member: the guild avatar, else the account avatar, else `null`. */
export function avatarOf(member: MemberView, guildId: string): AvatarRef | null {
  if (member.guildAvatar)
    return { guildId, userId: member.userId, hash: member.guildAvatar, source: "guild" };
  if (member.userAvatar) return { guildId, userId: member.userId, hash: member.userAvatar, source: "user" };
  return null;
}

/** What a profile refresh must do. */
export interface ProfilePlan {
  displayName: string;
  nameChanged: boolean;
  /** The avatar to show now (`null`: none). */
  avatar: AvatarRef | null;
  /** The avatar hash differs from the stored one: download it (or clear it when `avatar` is `null`). */
  avatarChanged: boolean;
}

/**
 * Compares Discord's profile with the stored one. The avatar is downloaded only when its hash
 * changed (the seed downloaded it on every sync).
 */
export function planProfile(stored: StoredProfile, member: MemberView, guildId: string): ProfilePlan {
  const displayName = displayNameOf(member);
  const avatar = avatarOf(member, guildId);
  return {
    displayName,
    nameChanged: stored.displayName !== displayName,
    avatar,
    avatarChanged: (avatar?.hash ?? null) !== stored.avatarHash,
  };
}
