import { createMemoryConfigStore } from "@guildkit/config";
import { createMemoryEventLog } from "@guildkit/core/testing";
import { createMemoryNonceStore } from "@guildkit/oauth-state";
import { describe } from "vitest";
import { fakeMembers } from "../../../packages/oauth-state/test/fakes";
import { defineConfigStoreCases } from "../src/ports/config-store";
import { defineEventLogCases } from "../src/ports/event-log";
import { defineMemberAccountsCases } from "../src/ports/member-accounts";
import { defineNonceStoreCases } from "../src/ports/nonce-store";

describe("NonceStore conformance: createMemoryNonceStore", () => {
  defineNonceStoreCases(async () => {
    const nonces = createMemoryNonceStore();
    return { nonces, row: async (nonce) => nonces.peek(nonce) };
  });
});

describe("MemberAccounts conformance: the flows' in-memory member accounts (oauth-state test/fakes.ts)", () => {
  defineMemberAccountsCases(async () => {
    const members = fakeMembers();
    let next = 1;
    return {
      accounts: members.port,
      async createMember(input) {
        const memberId = String(next++);
        members.rows.set(memberId, {
          memberId,
          email: input.email,
          emailTrusted: true,
          discordUserId: input.discordUserId ?? null,
          discordEmail: input.discordEmail ?? null,
          discordUsername: input.discordUsername ?? null,
          discordAvatar: null,
          dueForSyncAt: null,
        });
        return memberId;
      },
      async row(memberId) {
        const row = members.rows.get(memberId);
        return row === undefined
          ? null
          : {
              email: row.email,
              discordUserId: row.discordUserId,
              discordEmail: row.discordEmail,
              discordUsername: row.discordUsername,
            };
      },
      count: async () => members.rows.size,
    };
  });
});

describe("ConfigStore conformance: createMemoryConfigStore", () => {
  defineConfigStoreCases(async () => {
    const store = createMemoryConfigStore({ clock: { now: () => new Date("2026-11-23T12:00:00.000Z") } });
    return { store, versions: async (module) => store.versions.filter((v) => v.module === module) };
  });
});

describe("EventLog conformance: createMemoryEventLog", () => {
  defineEventLogCases(async () => {
    const eventLog = createMemoryEventLog();
    return { eventLog, entries: async () => eventLog.entries };
  });
});
