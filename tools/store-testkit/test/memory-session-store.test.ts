import { createMemorySessionStore } from "@guildkit/oauth-state";
import { describe } from "vitest";
import { defineSessionStoreCases } from "../src/ports/session-store";

describe("SessionStore conformance: createMemorySessionStore", () => {
  let members = 0;
  defineSessionStoreCases(async () => {
    const sessions = createMemorySessionStore();
    return {
      sessions,
      createMember: async () => String(++members),
      row: async (idHash) => sessions.peek(idHash),
    };
  });
});
