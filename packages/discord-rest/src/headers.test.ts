import { describe, expect, it } from "vitest";
import {
  parseRateLimitBody,
  parseRateLimitHeaders,
  retryAfterOf429,
  scopeOf429,
  secondsToMs,
} from "./headers";

describe("parseRateLimitHeaders", () => {
  it("reads every bucket header, fractional seconds rounded up to whole ms", () => {
    const info = parseRateLimitHeaders({
      "x-ratelimit-limit": "5",
      "x-ratelimit-remaining": "0",
      "x-ratelimit-reset": "1470173023.123",
      "x-ratelimit-reset-after": "64.5701",
      "x-ratelimit-bucket": "abcd1234",
    });
    expect(info).toEqual({
      bucket: "abcd1234",
      limit: 5,
      remaining: 0,
      resetAfterMs: 64_571,
      resetAtEpochMs: 1_470_173_023_123,
      global: false,
      scope: null,
      retryAfterMs: null,
    });
  });

  it("reads the 429 extras: global flag, scope and Retry-After", () => {
    const info = parseRateLimitHeaders({
      "x-ratelimit-global": "true",
      "x-ratelimit-scope": "global",
      "retry-after": "2",
    });
    expect(info.global).toBe(true);
    expect(info.scope).toBe("global");
    expect(info.retryAfterMs).toBe(2000);
    expect(info.bucket).toBeNull();
    expect(info.limit).toBeNull();
  });

  it("ignores malformed numbers and unknown scopes instead of throwing", () => {
    const info = parseRateLimitHeaders({
      "x-ratelimit-limit": "lots",
      "x-ratelimit-remaining": "",
      "x-ratelimit-scope": "planet",
      "x-ratelimit-bucket": ["first", "second"],
    });
    expect(info.limit).toBeNull();
    expect(info.remaining).toBeNull();
    expect(info.scope).toBeNull();
    expect(info.bucket).toBe("first");
  });
});

describe("429 bodies", () => {
  it("prefers the body's float retry_after over the whole-second header", () => {
    const info = parseRateLimitHeaders({ "retry-after": "65", "x-ratelimit-reset-after": "64.57" });
    const body = parseRateLimitBody({
      message: "You are being rate limited.",
      retry_after: 64.57,
      global: false,
    });
    expect(retryAfterOf429(info, body)).toBe(64_570);
  });

  it("falls back to Retry-After, then Reset-After, then one second", () => {
    const none = parseRateLimitBody(null);
    expect(retryAfterOf429(parseRateLimitHeaders({ "retry-after": "3" }), none)).toBe(3000);
    expect(retryAfterOf429(parseRateLimitHeaders({ "x-ratelimit-reset-after": "0.25" }), none)).toBe(250);
    expect(retryAfterOf429(parseRateLimitHeaders({}), none)).toBe(1000);
  });

  it("derives the scope from the header, else from the global flag", () => {
    const body = parseRateLimitBody({ retry_after: 1, global: true });
    expect(scopeOf429(parseRateLimitHeaders({}), body)).toBe("global");
    expect(scopeOf429(parseRateLimitHeaders({ "x-ratelimit-scope": "shared" }), body)).toBe("shared");
    expect(scopeOf429(parseRateLimitHeaders({}), parseRateLimitBody({ retry_after: 1 }))).toBe("user");
  });

  it("keeps the optional code of special limits", () => {
    expect(parseRateLimitBody({ retry_after: 1, global: false, code: 20028 }).code).toBe(20028);
  });

  it("rounds seconds up so a wait is never short", () => {
    expect(secondsToMs(0.0001)).toBe(1);
    expect(secondsToMs(-1)).toBe(0);
  });
});
