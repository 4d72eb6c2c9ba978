import { createMemoryRoleConnectionQueue } from "@guildkit/role-reconciler/testing";
import { describe } from "vitest";
import { defineRoleConnectionQueueCases } from "../src/ports/role-connection-queue";

describe("RoleConnectionQueue conformance: createMemoryRoleConnectionQueue", () => {
  defineRoleConnectionQueueCases(async () => {
    const queue = createMemoryRoleConnectionQueue();
    return {
      queue,
      async row(memberId) {
        const r = queue.rows.get(memberId);
        if (!r) return null;
        const date = (ms: number | null) => (ms === null ? null : new Date(ms));
        return {
          desired: r.desired,
          pushed: r.pushed,
          state: r.state,
          attempts: r.attempts,
          nextDueAt: date(r.nextDueAt),
          pushedAt: date(r.pushedAt),
          version: r.version,
          leaseOwner: r.leaseOwner,
        };
      },
    };
  });
});
