import type { NonceStore } from "@guildkit/oauth-state";
import { expect, it } from "vitest";

/** One implementation of `NonceStore` under test, with a backdoor to read its records. */
export interface NonceStoreSubject {
  nonces: NonceStore;
  /**
   * The record of `nonce` read directly (a query on the table, a look into the map), not through the
   * port: its token's expiry, or `null` when nothing is recorded.
   */
  row(nonce: string): Promise<{ expiresAt: Date } | null>;
}

const T0 = new Date("2026-11-23T12:00:00.000Z");
const at = (seconds: number) => new Date(T0.getTime() + seconds * 1000);

/**
 * The conformance cases of the `NonceStore` port of `@guildkit/oauth-state`, registered with vitest's
 * `it` in the current `describe`: the SQL stores run them through the `oauth` feature,
 * `createMemoryNonceStore` from this package's tests. `fresh` gives a new, empty subject per test.
 */
export function defineNonceStoreCases(fresh: () => Promise<NonceStoreSubject>): void {
  it("consume records a nonce the first time (true) and refuses it every later time (false)", async () => {
    const { nonces, row } = await fresh();
    expect(await row("n-1")).toBeNull();
    expect(await nonces.consume({ nonce: "n-1", expiresAt: at(300), now: T0 })).toBe(true);
    expect(await row("n-1")).toEqual({ expiresAt: at(300) });
    expect(await nonces.consume({ nonce: "n-1", expiresAt: at(300), now: at(1) })).toBe(false);
    expect(await nonces.consume({ nonce: "n-1", expiresAt: at(900), now: at(2) })).toBe(false);
    expect(await row("n-1")).toEqual({ expiresAt: at(300) });
    expect(await nonces.consume({ nonce: "n-2", expiresAt: at(300), now: at(2) })).toBe(true);
  });

  it("of many concurrent redemptions of one nonce exactly one wins", async () => {
    const { nonces } = await fresh();
    const results = await Promise.all(
      Array.from({ length: 10 }, () => nonces.consume({ nonce: "race", expiresAt: at(60), now: T0 })),
    );
    expect(results.filter(Boolean)).toHaveLength(1);
  });

  it("purgeExpired deletes the nonces whose tokens expired at now (exactly, too) and keeps the others", async () => {
    const { nonces, row } = await fresh();
    await nonces.consume({ nonce: "link", expiresAt: at(60), now: T0 });
    await nonces.consume({ nonce: "early", expiresAt: at(30), now: T0 });
    await nonces.consume({ nonce: "signup", expiresAt: at(600), now: T0 });
    expect(await nonces.purgeExpired({ now: at(60) })).toBe(2);
    expect([await row("link"), await row("early")]).toEqual([null, null]);
    expect(await row("signup")).toEqual({ expiresAt: at(600) });
    expect(await nonces.purgeExpired({ now: at(60) })).toBe(0);
  });

  it("an aborted signal rejects and records nothing", async () => {
    const { nonces, row } = await fresh();
    const signal = AbortSignal.abort();
    await expect(nonces.consume({ nonce: "n", expiresAt: at(60), now: T0 }, { signal })).rejects.toThrow();
    expect(await row("n")).toBeNull();
  });
}
