import { describe } from "vitest";
import { defineSpeedbumpStoreCases } from "../../../tools/store-testkit/src/ports/speedbump-store";
import { createMemorySpeedbumpStore } from "../src/memory-store";

describe("SpeedbumpStore and ProxyMemberStore conformance: createMemorySpeedbumpStore", () => {
  defineSpeedbumpStoreCases(async () => {
    const store = createMemorySpeedbumpStore();
    const { tables } = store;
    return {
      store,
      rows: {
        channel: async (channelId) => {
          const state = tables.channels.get(channelId);
          return state ? { ...state } : null;
        },
        proxyUserSeenAt: async (userId) => tables.proxyUsers.get(userId) ?? null,
        hold: async (messageId) => {
          const hold = tables.holds.get(messageId);
          return hold ? { dueAt: new Date(hold.dueAt), content: hold.message.content } : null;
        },
        holdIds: async () => [...tables.holds.keys()].sort(),
        unresolved: async (messageId) => {
          const item = tables.unresolved.get(messageId);
          return item ? { attempts: item.attempts, nextAttemptAt: item.nextAttemptAt } : null;
        },
        members: async () =>
          [...tables.members.values()]
            .map((m) => ({ key: m.key, displayName: m.displayName }))
            .sort((a, b) => a.key.localeCompare(b.key)),
        sightings: async () =>
          [...tables.sightings]
            .map((s) => ({
              guildId: s.guildId,
              memberKey: s.memberKey,
              senderUserId: s.senderUserId,
              seenAt: s.at,
            }))
            .sort(
              (a, b) =>
                a.guildId.localeCompare(b.guildId) ||
                a.memberKey.localeCompare(b.memberKey) ||
                a.senderUserId.localeCompare(b.senderUserId),
            ),
      },
    };
  });
});
