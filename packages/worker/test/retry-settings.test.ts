import { DEFAULT_BACKOFF } from "@guildkit/role-reconciler";
import { describe, expect, it } from "vitest";
import { roleSyncTuning } from "../src/role-sync";

describe("ROLE_SYNC_RETRY_BASE_MS → role sync's backoff", () => {
  it("keeps the reconciler's default when unset", () => {
    expect(roleSyncTuning({ roleSyncBaseMs: null })).toEqual({});
  });

  it("replaces only the first wait of the default policy", () => {
    expect(roleSyncTuning({ roleSyncBaseMs: 2_000 })).toEqual({
      reconciler: { backoff: { ...DEFAULT_BACKOFF, baseMs: 2_000 } },
    });
  });
});
