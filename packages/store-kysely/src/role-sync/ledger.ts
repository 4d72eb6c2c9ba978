import type { ExpressionBuilder } from "kysely";
import { decodeTime } from "../codec";
import type { Database } from "../schema";
import type { RoleSyncContext } from "./context";
import type { Grant, GrantLedger, GrantOrigin, NewGrant } from "./ports";

/** A stored origin (`NULL`, from before migration 013, is `granted`). */
function asOrigin(value: unknown): GrantOrigin {
  return value === "adopted" ? "adopted" : "granted";
}

/**
 * The grant ledger on `role_grants`: which account holds which role on account of which member,
 * how it got it (`origin`) and when the member's entitlement to it ended (`lapsed_at`).
 */
export function createGrantLedger(ctx: RoleSyncContext): GrantLedger {
  const { db, t } = ctx;
  const matching = (grants: readonly Grant[]) => (eb: ExpressionBuilder<Database, "role_grants">) =>
    eb.or(
      grants.map((g) =>
        eb.and([
          eb("member_id", "=", g.memberId),
          eb("discord_user_id", "=", g.discordUserId),
          eb("role_id", "=", g.roleId),
        ]),
      ),
    );
  return {
    async list(opts, io) {
      io?.signal?.throwIfAborted();
      if (opts.memberIds.length === 0) return [];
      const rows = await db
        .selectFrom("role_grants")
        .select(["member_id", "discord_user_id", "role_id", "origin", "lapsed_at"])
        .where("member_id", "in", [...opts.memberIds])
        .execute();
      return rows.map((r) => ({
        memberId: r.member_id,
        discordUserId: r.discord_user_id,
        roleId: r.role_id,
        origin: asOrigin(r.origin),
        lapsedAt: decodeTime(r.lapsed_at),
      }));
    },
    async add(opts, io) {
      io?.signal?.throwIfAborted();
      if (opts.grants.length === 0) return;
      const at = t(ctx.clock.now());
      await db
        .insertInto("role_grants")
        .values(
          opts.grants.map((g: NewGrant) => ({
            member_id: g.memberId,
            discord_user_id: g.discordUserId,
            role_id: g.roleId,
            granted_at: at,
            origin: g.origin ?? "granted",
          })),
        )
        .onConflict((oc) => oc.columns(["member_id", "discord_user_id", "role_id"]).doNothing())
        .execute();
      // A role guildkit adds itself is `granted`, whatever an earlier row said.
      const granted = opts.grants.filter((g) => (g.origin ?? "granted") === "granted");
      if (granted.length === 0) return;
      await db
        .updateTable("role_grants")
        .set({ origin: "granted" })
        .where(matching(granted))
        .where("origin", "=", "adopted")
        .execute();
    },
    async markLapsed(opts, io) {
      io?.signal?.throwIfAborted();
      if (opts.grants.length === 0) return;
      await db
        .updateTable("role_grants")
        .set({ lapsed_at: opts.lapsedAt === null ? null : t(opts.lapsedAt) })
        .where(matching(opts.grants))
        .execute();
    },
    async remove(opts, io) {
      io?.signal?.throwIfAborted();
      if (opts.grants.length === 0) return;
      await db.deleteFrom("role_grants").where(matching(opts.grants)).execute();
    },
  };
}
