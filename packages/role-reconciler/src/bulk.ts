import { GUILD_PAGE_SIZE } from "./cost";
import type { Clock, DiscordGuildMember, GuildGateway, IoOptions } from "./ports";

/** What the reconciler keeps of a guild member. */
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
 * Converts Discord's guild member object; `null` when it carries no user. With `pool`, role ids
 * are interned (a snapshot of a large guild then holds each role id string once).
 */
export function toMemberView(member: DiscordGuildMember, pool?: Map<string, string>): MemberView | null {
  const user = member.user;
  if (!user) return null;
  let roles: readonly string[] = member.roles.length === 0 ? NO_ROLES : [...member.roles];
  if (pool && roles.length > 0) {
    roles = roles.map((roleId) => {
      const interned = pool.get(roleId);
      if (interned !== undefined) return interned;
      pool.set(roleId, roleId);
      return roleId;
    });
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
 * Lists the guild's members `pageSize` at a time (Discord's maximum is 1,000). Stops early, returning no snapshot, once `maxPages` full pages were read and more
 * remain. Discord errors propagate.
 * @see https://discord.com/developers/docs/resources/guild#list-guild-members
 */
export async function listGuildSnapshot(
  opts: {
    gateway: GuildGateway;
    guildId: string;
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
  const pool = new Map<string, string>();
  let after: string | null = null;
  let pages = 0;
  for (;;) {
    if (pages >= maxPages) return { snapshot: null, pages, seen: members.size };
    const page = await opts.gateway.listMembers({ guildId: opts.guildId, after, limit: pageSize }, io);
    pages += 1;
    let last: string | null = after;
    for (const raw of page) {
      const view = toMemberView(raw, pool);
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
