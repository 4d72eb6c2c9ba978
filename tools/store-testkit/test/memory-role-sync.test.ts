import { createMemoryRoleSyncStore } from "@guildkit/role-reconciler/testing";
import { describe } from "vitest";
import { defineRoleLedgerCases } from "../src/ports/role-sync-ledger";
import { defineSyncQueueCases } from "../src/ports/role-sync-queue";
import type { RoleSyncSubject } from "../src/ports/role-sync-subject";

/** The memory store as a kit subject; the clock stamps `markedAt` only. */
async function subject(): Promise<RoleSyncSubject> {
  const store = createMemoryRoleSyncStore({ clock: { now: () => new Date("2026-01-01T00:00:00.000Z") } });
  let ids = 0;
  return {
    queue: store.queue,
    ledger: store.ledger,
    linkedMembers: store.linkedMembers,
    profiles: store.profiles,
    async createMember({ discordUserId, paymentStatus }) {
      const id = String(++ids);
      store.insertMember({ id, discordUserId, attrs: { payment_status: paymentStatus } });
      return id;
    },
    async updateMember(id, patch) {
      store.updateMember(id, {
        ...(patch.discordUserId !== undefined ? { discordUserId: patch.discordUserId } : {}),
        ...(patch.paymentStatus !== undefined ? { attrs: { payment_status: patch.paymentStatus } } : {}),
      });
    },
    async deleteMember(id) {
      store.deleteMember(id);
    },
    async syncRow(memberId) {
      const row = store.row(memberId);
      if (!row) return null;
      return {
        leaseOwner: row.leaseOwner,
        state: row.state,
        dirty: row.dirty,
        version: row.version,
        nextDueAt: row.nextDueAt === null ? null : new Date(row.nextDueAt),
        attempts: row.attempts,
        lastError: row.lastError,
      };
    },
    async dropSyncRow(memberId) {
      store.sync.delete(memberId);
    },
    grantKeys: async () => store.grantKeys(),
    grantDetails: async () => store.grantDetails(),
    async profile(memberId) {
      const m = store.members.get(memberId);
      if (!m) return null;
      return {
        displayName: m.displayName,
        avatarHash: m.avatarHash,
        avatarBytes: m.avatarBytes ? [...m.avatarBytes] : null,
      };
    },
  };
}

describe("SyncQueue conformance: createMemoryRoleSyncStore", () => {
  defineSyncQueueCases(subject);
});

describe("GrantLedger, LinkedMembers, MemberProfiles conformance: createMemoryRoleSyncStore", () => {
  defineRoleLedgerCases(subject);
});
