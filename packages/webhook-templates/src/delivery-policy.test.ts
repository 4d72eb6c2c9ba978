import { describe, expect, it } from "vitest";
import {
  type ClaimCandidate,
  classifySendError,
  decideDelivery,
  MAX_ATTEMPTS,
  RETRY_SCHEDULE_MS,
  selectClaimable,
} from "./delivery-policy";

describe("retry schedule", () => {
  it("is immediately, 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h, then dead", () => {
    expect(RETRY_SCHEDULE_MS).toEqual([0, 5e3, 3e5, 1.8e6, 7.2e6, 1.8e7, 3.6e7, 3.6e7]);
    expect(MAX_ATTEMPTS).toBe(8);
    const failure = { kind: "server_error" as const, status: 502, code: null, message: "Bad Gateway" };
    const delays = Array.from({ length: 7 }, (_, attempts) => decideDelivery(failure, attempts));
    expect(delays.map((d) => (d.action === "retry" ? d.delayMs : d.action))).toEqual(
      RETRY_SCHEDULE_MS.slice(1),
    );
    expect(decideDelivery(failure, 7)).toEqual({
      action: "dead",
      reason: "gave up after 8 attempts; last: Discord answered 502: Bad Gateway",
      possibleDuplicate: false,
    });
  });
});

describe("a retry schedule of the caller's (defaultRetryDelaysMs, WEBHOOK_RETRY_SCHEDULE_MS)", () => {
  it("waits its steps and gives up after its length", () => {
    const failure = { kind: "network_error" as const, message: "other side closed" };
    const schedule = { retryDelaysMs: [1_000, 2_000] };
    expect(decideDelivery(failure, 0, schedule)).toMatchObject({ action: "retry", delayMs: 1_000 });
    expect(decideDelivery(failure, 1, schedule)).toMatchObject({ action: "retry", delayMs: 2_000 });
    expect(decideDelivery(failure, 2, schedule)).toEqual({
      action: "dead",
      reason: "gave up after 3 attempts; last: no answer: other side closed",
      possibleDuplicate: false,
    });
  });
});

describe("decideDelivery", () => {
  it("records a delivery with its message id", () => {
    expect(decideDelivery({ kind: "delivered", messageId: "1" }, 3)).toEqual({
      action: "delivered",
      messageId: "1",
    });
  });

  it("honours a 429's retry_after without consuming an attempt", () => {
    const d = decideDelivery({ kind: "rate_limited", retryAfterMs: 1234, message: "rate limited" }, 7);
    expect(d).toEqual({
      action: "retry",
      delayMs: 1234,
      countsAsAttempt: false,
      possibleDuplicate: false,
      error: "rate limited",
    });
  });

  it("disables the webhook on 404 and 401", () => {
    const gone = decideDelivery({ kind: "gone", status: 404, code: 10015, message: "Unknown Webhook" }, 0);
    expect(gone.action).toBe("disable_webhook");
    expect(gone.action === "disable_webhook" && gone.reason).toContain("404 / 10015: Unknown Webhook");
    const token = decideDelivery(
      { kind: "gone", status: 401, code: 50027, message: "Invalid Webhook Token" },
      0,
    );
    expect(token.action === "disable_webhook" && token.reason).toContain("token");
  });

  it("dead-letters a 400 with Discord's message", () => {
    expect(
      decideDelivery(
        { kind: "rejected", status: 400, code: 50035, message: "Invalid Form Body: content" },
        0,
      ),
    ).toEqual({
      action: "dead",
      reason: "Discord refused the message (400 / 50035): Invalid Form Body: content",
      possibleDuplicate: false,
    });
  });

  it("reports a timeout as a possible duplicate, not as a clean failure", () => {
    const d = decideDelivery({ kind: "timeout", message: "no answer within 15000 ms" }, 0);
    expect(d).toMatchObject({
      action: "retry",
      delayMs: 5000,
      countsAsAttempt: true,
      possibleDuplicate: true,
    });
    expect(decideDelivery({ kind: "timeout", message: "t" }, 7)).toMatchObject({
      action: "dead",
      possibleDuplicate: true,
    });
  });

  it("retries network errors on the schedule", () => {
    expect(decideDelivery({ kind: "network_error", message: "ECONNRESET" }, 1)).toMatchObject({
      action: "retry",
      delayMs: 300_000,
      possibleDuplicate: false,
    });
  });

  it("retries an interrupted send at once, uncounted, flagged", () => {
    expect(decideDelivery({ kind: "aborted", message: "shutdown" }, 2)).toMatchObject({
      action: "retry",
      delayMs: 0,
      countsAsAttempt: false,
      possibleDuplicate: true,
    });
  });
});

describe("a 403 from Discord", () => {
  const forbidden = (code: number | null, discordMessage: string) =>
    Object.assign(new Error("Discord 403"), {
      name: "DiscordApiError",
      retryable: false,
      status: 403,
      code,
      discordMessage,
      retryAfterMs: null,
    });

  it("dead-letters only that event, with Discord's message, when it concerns the message", () => {
    for (const [code, text] of [
      [50013, "Missing Permissions"],
      [50001, "Missing Access"],
      [null, "error code: 1010"],
    ] as const) {
      const decision = decideDelivery(classifySendError(forbidden(code, text)), 0);
      expect(decision).toMatchObject({ action: "dead", possibleDuplicate: false });
      expect((decision as { reason: string }).reason).toContain(`Discord refused the message (403`);
      expect((decision as { reason: string }).reason).toContain(text);
    }
  });

  it("disables the webhook when Discord's code says the webhook itself is refused", () => {
    for (const code of [10015, 50027]) {
      const decision = decideDelivery(classifySendError(forbidden(code, "Invalid Webhook Token")), 0);
      expect(decision).toMatchObject({ action: "disable_webhook" });
      expect((decision as { reason: string }).reason).toContain(`Discord answered 403 / ${code}`);
    }
  });
});

describe("classifySendError", () => {
  const api = (status: number, code: number | null, discordMessage: string) =>
    Object.assign(new Error(`Discord ${status}`), {
      name: "DiscordApiError",
      retryable: status >= 500,
      status,
      code,
      discordMessage,
      retryAfterMs: null,
    });
  // Shaped as @guildkit/discord-rest throws them: the core's error contract (`retryable`, `status`,
  // `code`, `retryAfterMs`), its timeouts and aborts named `TimeoutError` / `AbortError`.
  it("reads @guildkit/discord-rest errors by the core's error contract", () => {
    expect(classifySendError(api(404, 10015, "Unknown Webhook"))).toMatchObject({
      kind: "gone",
      status: 404,
      code: 10015,
    });
    expect(classifySendError(api(401, 50027, "Invalid Webhook Token"))).toMatchObject({
      kind: "gone",
      status: 401,
    });
    expect(classifySendError(api(403, 50027, "Invalid Webhook Token"))).toMatchObject({
      kind: "gone",
      status: 403,
    });
    expect(classifySendError(api(400, 50006, "Cannot send an empty message"))).toMatchObject({
      kind: "rejected",
      message: "Cannot send an empty message (Discord 400)",
    });
    expect(classifySendError(api(503, null, "Service Unavailable"))).toMatchObject({
      kind: "server_error",
      status: 503,
    });
    const rate = Object.assign(new Error("limited"), {
      name: "DiscordRateLimitError",
      retryable: true,
      status: 429,
      retryAfterMs: 2500,
    });
    expect(classifySendError(rate)).toEqual({ kind: "rate_limited", retryAfterMs: 2500, message: "limited" });
    const timeout = Object.assign(new Error("no answer in 15000 ms"), {
      name: "TimeoutError",
      retryable: true,
      status: null,
      timeoutMs: 15000,
    });
    expect(classifySendError(timeout).kind).toBe("timeout");
    const headers = Object.assign(new Error("headers"), { code: "UND_ERR_HEADERS_TIMEOUT" });
    expect(classifySendError(headers).kind).toBe("timeout");
    const net = Object.assign(new Error("refused"), {
      name: "DiscordNetworkError",
      retryable: true,
      status: null,
      errno: "ECONNREFUSED",
    });
    expect(classifySendError(net).kind).toBe("network_error");
    expect(
      classifySendError(Object.assign(new Error("stop"), { name: "AbortError", retryable: false })).kind,
    ).toBe("aborted");
    expect(classifySendError("weird").kind).toBe("network_error");
  });
});

describe("selectClaimable: the per-webhook ordering rule", () => {
  const now = new Date("2026-01-01T00:00:00Z");
  const later = new Date(now.getTime() + 60_000);
  const earlier = new Date(now.getTime() - 1);
  const ev = (id: string, webhookId: string, extra: Partial<ClaimCandidate> = {}): ClaimCandidate => ({
    id,
    webhookId,
    state: "pending",
    nextAttemptAt: null,
    leaseExpiresAt: null,
    ...extra,
  });
  const ids = (events: ClaimCandidate[]) => events.map((e) => e.id);

  it("claims each webhook's oldest events in order, up to perWebhook", () => {
    const events = [ev("3", "a"), ev("1", "a"), ev("2", "b"), ev("4", "a"), ev("10", "b")];
    expect(ids(selectClaimable(events, { now, limit: 10, perWebhook: 2 }))).toEqual(["1", "3", "2", "10"]);
  });

  it("blocks a webhook whose oldest event is leased or waiting for a retry", () => {
    const events = [
      ev("1", "a", { leaseExpiresAt: later }),
      ev("2", "a"),
      ev("3", "b", { nextAttemptAt: later }),
      ev("4", "b"),
      ev("5", "c"),
    ];
    expect(ids(selectClaimable(events, { now, limit: 10, perWebhook: 5 }))).toEqual(["5"]);
  });

  it("reclaims an expired lease", () => {
    const events = [ev("1", "a", { leaseExpiresAt: earlier }), ev("2", "a")];
    expect(ids(selectClaimable(events, { now, limit: 10, perWebhook: 5 }))).toEqual(["1", "2"]);
  });

  it("skips delivered and dead events, and respects the limit", () => {
    const events = [
      ev("1", "a", { state: "dead" }),
      ev("2", "a"),
      ev("3", "a", { state: "delivered" }),
      ev("4", "a"),
      ev("5", "b"),
    ];
    expect(ids(selectClaimable(events, { now, limit: 2, perWebhook: 5 }))).toEqual(["2", "4"]);
  });

  it("orders ids numerically, not as text", () => {
    expect(ids(selectClaimable([ev("10", "a"), ev("9", "a")], { now, limit: 5, perWebhook: 5 }))).toEqual([
      "9",
      "10",
    ]);
  });
});
