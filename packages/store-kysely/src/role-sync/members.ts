import type { LinkedMember, LinkedMembers, MemberProfiles } from "@guildkit/role-reconciler";
import { sql } from "kysely";
import { decodeId } from "../codec";
import type { RoleSyncContext } from "./context";
import type { Row } from "./rows";

/** Members by the Discord account they link, with the rule columns. */
export function createLinkedMembers(ctx: RoleSyncContext): LinkedMembers {
  return {
    async findByDiscordIds(opts, io) {
      io?.signal?.throwIfAborted();
      if (opts.discordUserIds.length === 0) return [];
      const columns = await ctx.checkColumns(opts.columns);
      const extra = columns.map((c) => sql`${sql.ref(c)} as ${sql.ref(`a_${c}`)}`);
      const rows = await sql<Row>`select id, discord_user_id
        ${extra.length > 0 ? sql`, ${sql.join(extra)}` : sql``}
        from members where discord_user_id in (${sql.join([...opts.discordUserIds])})`.execute(ctx.db);
      return rows.rows.map((r): LinkedMember => {
        const attributes: Record<string, unknown> = {};
        for (const c of columns) attributes[c] = r[`a_${c}`];
        return { memberId: decodeId(r.id), discordUserId: String(r.discord_user_id), attributes };
      });
    },
  };
}

/** Profile writes on `members` (display name, avatar bytes and hash); they never mark a member due. */
export function createMemberProfiles(ctx: RoleSyncContext): MemberProfiles {
  return {
    async save(update, io) {
      io?.signal?.throwIfAborted();
      const avatar = update.avatar
        ? sql`, discord_avatar = ${update.avatar.bytes ? Buffer.from(update.avatar.bytes) : null},
            discord_avatar_hash = ${update.avatar.hash}`
        : sql``;
      await sql`update members set discord_username = ${update.displayName} ${avatar}
        where id = ${update.memberId}`.execute(ctx.db);
    },
  };
}
