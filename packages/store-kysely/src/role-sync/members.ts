import { sql } from "kysely";
import { decodeId } from "../codec";
import type { RoleSyncContext } from "./context";
import type { LinkedMember, LinkedMembers, MemberProfiles } from "./ports";
import type { Row } from "./rows";

/** Members by the Discord account they link, with the rule columns. */
export function createLinkedMembers(ctx: RoleSyncContext): LinkedMembers {
  return {
    async findByDiscordIds(opts, io) {
      io?.signal?.throwIfAborted();
      if (opts.discordUserIds.length === 0) return [];
      const columns = await ctx.checkColumns(opts.columns);
      const m = ctx.members;
      const extra = columns.map((c) => sql`${sql.ref(c)} as ${sql.ref(`a_${c}`)}`);
      const rows =
        await sql<Row>`select ${sql.ref(m.id)} as id, ${sql.ref(m.discordUserId)} as discord_user_id
        ${extra.length > 0 ? sql`, ${sql.join(extra)}` : sql``}
        from ${ctx.table} where ${sql.ref(m.discordUserId)} in (${sql.join([...opts.discordUserIds])})`.execute(
          ctx.db,
        );
      return rows.rows.map((r): LinkedMember => {
        const attributes: Record<string, unknown> = {};
        for (const c of columns) attributes[c] = r[`a_${c}`];
        return { memberId: decodeId(r.id), discordUserId: String(r.discord_user_id), attributes };
      });
    },
  };
}

/**
 * Profile writes on the members table (display name, avatar bytes and hash; no bytes when the
 * table keeps none); they never mark a member due.
 */
export function createMemberProfiles(ctx: RoleSyncContext): MemberProfiles {
  const m = ctx.members;
  return {
    async save(update, io) {
      io?.signal?.throwIfAborted();
      const bytes = update.avatar?.bytes ? Buffer.from(update.avatar.bytes) : null;
      const avatar = update.avatar
        ? sql`, ${m.discordAvatar ? sql`${sql.ref(m.discordAvatar)} = ${bytes}, ` : sql``}
            ${sql.ref(m.discordAvatarHash)} = ${update.avatar.hash}`
        : sql``;
      await sql`update ${ctx.table} set ${sql.ref(m.discordUsername)} = ${update.displayName} ${avatar}
        where ${sql.ref(m.id)} = ${update.memberId}`.execute(ctx.db);
    },
  };
}
