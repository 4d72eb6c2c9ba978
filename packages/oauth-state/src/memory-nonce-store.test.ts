import { describe, expect, it } from "vitest";
import { createMemoryNonceStore } from "./memory-nonce-store";

const now = new Date("2026-11-23T12:00:00Z");
const later = (s: number) => new Date(now.getTime() + s * 1000);

describe("createMemoryNonceStore", () => {
  it("consumes a nonce once and refuses it afterwards", async () => {
    const store = createMemoryNonceStore();
    expect(await store.consume({ nonce: "n1", expiresAt: later(60), now })).toBe(true);
    expect(await store.consume({ nonce: "n1", expiresAt: later(60), now })).toBe(false);
    expect(await store.consume({ nonce: "n2", expiresAt: later(60), now })).toBe(true);
  });

  it("lets exactly one of many concurrent consumers win", async () => {
    const store = createMemoryNonceStore();
    const results = await Promise.all(
      Array.from({ length: 20 }, () => store.consume({ nonce: "same", expiresAt: later(60), now })),
    );
    expect(results.filter(Boolean)).toHaveLength(1);
  });

  it("purges nonces whose tokens have expired and keeps the others", async () => {
    const store = createMemoryNonceStore();
    await store.consume({ nonce: "short", expiresAt: later(60), now });
    await store.consume({ nonce: "long", expiresAt: later(600), now });
    expect(await store.purgeExpired({ now: later(60) })).toBe(1);
    expect(store.size()).toBe(1);
    expect(await store.consume({ nonce: "long", expiresAt: later(600), now: later(61) })).toBe(false);
  });
});
