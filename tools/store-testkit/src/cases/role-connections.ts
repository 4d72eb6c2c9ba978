import { createRoleConnectionQueue, decodeTime } from "@guildkit/store-kysely";
import { describe, expect, it } from "vitest";
import { defineStoreCases } from "../define";
import { defineRoleConnectionQueueCases } from "../ports/role-connection-queue";

/**
 * The Linked Roles push queue (`store.roleConnections`, migration `015-role-connections`) on both
 * SQL stores: the port's kit with backdoor reads of `role_connection_state`, plus concurrent claims.
 */
export const roleConnectionCases = defineStoreCases("role-connections", ({ fresh, dialect }) => {
  describe("RoleConnectionQueue port", () =>
    defineRoleConnectionQueueCases(async () => {
      const { store, db } = await fresh();
      return {
        queue: store.roleConnections,
        async row(memberId) {
          const r = await db
            .selectFrom("role_connection_state")
            .selectAll()
            .where("member_id", "=", memberId)
            .executeTakeFirst();
          if (!r) return null;
          return {
            desired: r.desired,
            pushed: r.pushed,
            state: r.state,
            attempts: Number(r.attempts),
            nextDueAt: decodeTime(r.next_due_at),
            pushedAt: decodeTime(r.pushed_at),
            version: Number(r.version),
            leaseOwner: r.lease_owner,
          };
        },
      };
    }));

  it("concurrent claimers on separate handles never claim one member twice", async () => {
    const { store, db } = await fresh();
    const now = new Date("2026-01-01T00:00:00.000Z");
    const entries = Array.from({ length: 300 }, (_, i) => ({
      memberId: String(i + 1),
      discordUserId: "100000000000000001",
      desired: { paying: "1" },
    }));
    await store.roleConnections.setDesired({ entries, now });
    const other = createRoleConnectionQueue(db, dialect, { now: () => now });
    const seen = new Map<string, number>();
    const loop = async (queue: typeof other, owner: string) => {
      for (;;) {
        const items = await queue.claimDue({ owner, leaseMs: 60_000, limit: 25, now });
        if (items.length === 0) return;
        for (const item of items) seen.set(item.memberId, (seen.get(item.memberId) ?? 0) + 1);
        for (const item of items) {
          await queue.complete(item, {
            state: "synced",
            pushed: item.desired,
            pushedAt: now,
            nextDueAt: null,
            attempts: 0,
            lastError: null,
          });
        }
      }
    };
    await Promise.all([loop(store.roleConnections, "a"), loop(other, "b"), loop(store.roleConnections, "c")]);
    expect(seen.size).toBe(300);
    expect([...seen.values()].every((n) => n === 1)).toBe(true);
  });
});
