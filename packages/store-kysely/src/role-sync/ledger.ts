import type { RoleSyncContext } from "./context";
import type { Grant, GrantLedger } from "./ports";

/** The grant ledger on `role_grants`: which account holds which role on account of which member. */
export function createGrantLedger(ctx: RoleSyncContext): GrantLedger {
  const { db, t } = ctx;
  return {
    async list(opts, io) {
      io?.signal?.throwIfAborted();
      if (opts.memberIds.length === 0) return [];
      const rows = await db
        .selectFrom("role_grants")
        .select(["member_id", "discord_user_id", "role_id"])
        .where("member_id", "in", [...opts.memberIds])
        .execute();
      return rows.map((r) => ({
        memberId: r.member_id,
        discordUserId: r.discord_user_id,
        roleId: r.role_id,
      }));
    },
    async add(opts, io) {
      io?.signal?.throwIfAborted();
      if (opts.grants.length === 0) return;
      const at = t(ctx.clock.now());
      await db
        .insertInto("role_grants")
        .values(
          opts.grants.map((g: Grant) => ({
            member_id: g.memberId,
            discord_user_id: g.discordUserId,
            role_id: g.roleId,
            granted_at: at,
          })),
        )
        .onConflict((oc) => oc.columns(["member_id", "discord_user_id", "role_id"]).doNothing())
        .execute();
    },
    async remove(opts, io) {
      io?.signal?.throwIfAborted();
      if (opts.grants.length === 0) return;
      await db
        .deleteFrom("role_grants")
        .where((eb) =>
          eb.or(
            opts.grants.map((g) =>
              eb.and([
                eb("member_id", "=", g.memberId),
                eb("discord_user_id", "=", g.discordUserId),
                eb("role_id", "=", g.roleId),
              ]),
            ),
          ),
        )
        .execute();
    },
  };
}
