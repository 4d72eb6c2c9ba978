import { GUILD_PAGE_SIZE } from "./cost";
import type { Clock, DiscordGuildMember, GuildGateway, IoOptions } from "./ports";

/** What the reconciler keeps of a guild member (roles trimmed to the managed ones in a snapshot). */
export interface MemberView {
  userId: string;
  roles: readonly string[];
  nick: string | null;
  guildAvatar: string | null;
  username: string;
  globalName: string | null;
  userAvatar: string | null;
}

const NO_ROLES: readonly string[] = Object.freeze([]);

/**
 * Converts Discord's guild member object; with `managed`, keeps only those roles (a snapshot of a
 * large guild then costs little memory). `null` when the object carries no user.
 */
export function toMemberView(member: DiscordGuildMember, managed?: ReadonlySet<string>): MemberView | null {
  const user = member.user;
  if (!user) return null;
  let roles: readonly string[] = member.roles;
  if (managed) {
    const kept = member.roles.filter((roleId) => managed.has(roleId));
    roles = kept.length === 0 ? NO_ROLES : kept;
  }
  return {
    userId: user.id,
    roles,
    nick: member.nick ?? null,
    guildAvatar: member.avatar ?? null,
    username: user.username,
    globalName: user.global_name ?? null,
    userAvatar: user.avatar ?? null,
  };
}

/** The whole member list of a guild, read page by page, for in-memory comparison. */
export interface GuildSnapshot {
  guildId: string;
  /** When the listing started: changes marked after it are re-read one by one. */
  takenAt: Date;
  members: Map<string, MemberView>;
}

/** Result of {@link listGuildSnapshot}. */
export interface ListingResult {
  /** `null` when the listing was abandoned at `maxPages`. */
  snapshot: GuildSnapshot | null;
  /** Pages read (each one Discord call). */
  pages: number;
  /** Members seen (a lower bound of the guild size when abandoned). */
  seen: number;
}

function maxSnowflake(a: string, b: string): string {
  return BigInt(a) >= BigInt(b) ? a : b;
}

/**
 * Lists the guild's members `pageSize` at a time (Discord's maximum is 1,000), keeping only the
 * managed roles. Stops early, returning no snapshot, once `maxPages` full pages were read and more
 * remain. Discord errors propagate.
 * @see https://discord.com/developers/docs/resources/guild#list-guild-members
 */
export async function listGuildSnapshot(
  opts: {
    gateway: GuildGateway;
    guildId: string;
    managed: ReadonlySet<string>;
    clock: Clock;
    maxPages?: number;
    pageSize?: number;
    onPage?: (page: { pages: number; seen: number }) => void;
  },
  io: IoOptions = {},
): Promise<ListingResult> {
  const pageSize = opts.pageSize ?? GUILD_PAGE_SIZE;
  const maxPages = opts.maxPages ?? Number.POSITIVE_INFINITY;
  const takenAt = opts.clock.now();
  const members = new Map<string, MemberView>();
  let after: string | null = null;
  let pages = 0;
  for (;;) {
    if (pages >= maxPages) return { snapshot: null, pages, seen: members.size };
    const page = await opts.gateway.listMembers({ guildId: opts.guildId, after, limit: pageSize }, io);
    pages += 1;
    let last = after;
    for (const raw of page) {
      const view = toMemberView(raw, opts.managed);
      if (!view) continue;
      members.set(view.userId, view);
      last = last === null ? view.userId : maxSnowflake(last, view.userId);
    }
    opts.onPage?.({ pages, seen: members.size });
    if (page.length < pageSize || last === after) break;
    after = last;
  }
  return { snapshot: { guildId: opts.guildId, takenAt, members }, pages, seen: members.size };
}
