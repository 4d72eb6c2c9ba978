import { describe, expect, it } from "vitest";
import { createMessageCache } from "./cache";

describe("createMessageCache", () => {
  it("serves one entry under several keys until it expires", () => {
    let t = 0;
    const cache = createMessageCache<string>({ capacity: 10, ttlMs: 100, now: () => t });
    cache.set(["proxied", "original"], "m");
    expect(cache.get("proxied")).toBe("m");
    expect(cache.get("original")).toBe("m");
    t = 100;
    expect(cache.get("proxied")).toBeUndefined();
  });

  it("forgets the least recently used keys beyond capacity; capacity 0 caches nothing", () => {
    const cache = createMessageCache<number>({ capacity: 2, ttlMs: 1_000, now: () => 0 });
    cache.set(["a"], 1);
    cache.set(["b"], 2);
    cache.get("a");
    cache.set(["c"], 3);
    expect(cache.get("b")).toBeUndefined();
    expect(cache.get("a")).toBe(1);
    const none = createMessageCache<number>({ capacity: 0, ttlMs: 1_000, now: () => 0 });
    none.set(["a"], 1);
    expect(none.get("a")).toBeUndefined();
  });
});
