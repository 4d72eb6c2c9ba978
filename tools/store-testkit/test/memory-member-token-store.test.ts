import { createMemoryMemberTokenStore } from "@guildkit/oauth-state";
import { describe } from "vitest";
import { defineMemberTokenStoreCases } from "../src/ports/member-token-store";

describe("MemberTokenStore conformance: createMemoryMemberTokenStore", () => {
  defineMemberTokenStoreCases(async () => {
    const linked = new Map<string, string | null>();
    let members = 0;
    const tokens = createMemoryMemberTokenStore({ linkedDiscordUserId: (memberId) => linked.get(memberId) });
    return {
      tokens,
      createMember: async (discordUserId) => {
        const id = String(++members);
        linked.set(id, discordUserId);
        return id;
      },
      relinkMember: async (memberId, discordUserId) => void linked.set(memberId, discordUserId),
      deleteMember: async (memberId) => void linked.delete(memberId),
      row: async (memberId) => {
        const kept = tokens.peek(memberId);
        if (!kept) return null;
        const { discordUserId, scopes, expiresAt, consentNeededAt, version } = kept;
        return { discordUserId, scopes, expiresAt, consentNeededAt, version };
      },
    };
  });
});
