import { describe, expect, it } from "vitest";
import { validateWebhookDefinition } from "./definition";
import {
  type AttemptOutcome,
  DEFAULT_RETRY_DELAYS_MS,
  decideDelivery,
  RETRY_SCHEDULE_MS,
} from "./delivery-policy";

const fail: AttemptOutcome = { kind: "server_error", status: 502, code: null, message: "Bad Gateway" };

describe("a webhook's own retry schedule and give-up age", () => {
  it("retries on the webhook's own waits and is dead when a failure finds no wait left", () => {
    const own = { retryDelaysMs: [1_000, 30_000], giveUpAfterMs: null };
    expect(decideDelivery(fail, 0, own)).toMatchObject({
      action: "retry",
      delayMs: 1_000,
      countsAsAttempt: true,
    });
    expect(decideDelivery(fail, 1, own)).toMatchObject({ action: "retry", delayMs: 30_000 });
    expect(decideDelivery(fail, 2, own)).toMatchObject({
      action: "dead",
      reason: "gave up after 3 attempts; last: Discord answered 502: Bad Gateway",
    });
    expect(decideDelivery(fail, 0, { retryDelaysMs: [] })).toMatchObject({ action: "dead" });
  });

  it("without its own schedule, keeps the default one (8 attempts)", () => {
    expect(DEFAULT_RETRY_DELAYS_MS).toEqual(RETRY_SCHEDULE_MS.slice(1));
    for (let attempts = 0; attempts < 7; attempts++) {
      expect(decideDelivery(fail, attempts, { retryDelaysMs: null })).toMatchObject({
        action: "retry",
        delayMs: RETRY_SCHEDULE_MS[attempts + 1],
      });
    }
    expect(decideDelivery(fail, 7, {})).toMatchObject({ action: "dead" });
  });

  it("gives up once the next retry would come later than the give-up age after the event", () => {
    const policy = { retryDelaysMs: [60_000, 60_000, 60_000], giveUpAfterMs: 150_000 };
    expect(decideDelivery(fail, 0, { ...policy, ageMs: 0 })).toMatchObject({ action: "retry" });
    expect(decideDelivery(fail, 1, { ...policy, ageMs: 90_000 })).toMatchObject({ action: "retry" });
    expect(decideDelivery(fail, 1, { ...policy, ageMs: 90_001 })).toMatchObject({ action: "dead" });
    expect(
      (
        decideDelivery({ kind: "timeout", message: "15 s" }, 1, { ...policy, ageMs: 90_001 }) as {
          reason: string;
        }
      ).reason,
    ).toMatch(
      /^gave up after 2 attempts: the next one would come more than 150 s after the event; last: no answer in time/,
    );
  });

  it("never makes a 429 or an interrupted send dead, whatever the age", () => {
    const policy = { retryDelaysMs: [], giveUpAfterMs: 60_000, ageMs: 10 * 86_400_000 };
    expect(
      decideDelivery({ kind: "rate_limited", retryAfterMs: 2_000, message: "429" }, 5, policy),
    ).toMatchObject({
      action: "retry",
      countsAsAttempt: false,
    });
    expect(decideDelivery({ kind: "aborted", message: "shutdown" }, 5, policy)).toMatchObject({
      action: "retry",
    });
  });
});

describe("validateWebhookDefinition: retry options", () => {
  const base = {
    url: "https://discord.com/api/webhooks/123456789012345678/tok",
    template: "{id}",
    table: "t",
    operation: "INSERT",
  };
  const columns = [{ name: "id", type: "INTEGER" }];

  it("accepts a schedule and a give-up age within the limits, and defaults both to null", () => {
    const own = validateWebhookDefinition(
      { ...base, retryDelaysMs: [1_000, 7 * 86_400_000], giveUpAfterMs: 60_000 },
      { columns },
    );
    expect(own.ok && own.definition).toMatchObject({
      retryDelaysMs: [1_000, 7 * 86_400_000],
      giveUpAfterMs: 60_000,
    });
    const plain = validateWebhookDefinition(base, { columns });
    expect(plain.ok && plain.definition).toMatchObject({ retryDelaysMs: null, giveUpAfterMs: null });
  });

  it("names each out-of-range wait and age at its path", () => {
    const result = validateWebhookDefinition(
      { ...base, retryDelaysMs: [1_000, 999, 8 * 86_400_000, "5s"], giveUpAfterMs: 59_999 },
      { columns },
    );
    expect(!result.ok && result.issues.map((i) => [i.path.join("."), i.message])).toEqual([
      ["retryDelaysMs.1", "each retry wait must be at least 1000 ms (1 s)"],
      ["retryDelaysMs.2", "each retry wait must be at most 604800000 ms (7 days)"],
      ["retryDelaysMs.3", "each retry wait must be a number of milliseconds"],
      ["giveUpAfterMs", "giveUpAfterMs must be at least 60000 ms (1 min)"],
    ]);
    const long = validateWebhookDefinition({ ...base, retryDelaysMs: Array(21).fill(1_000) }, { columns });
    expect(!long.ok && long.issues.map((i) => i.message)).toEqual([
      "retryDelaysMs may list at most 20 waits",
    ]);
  });
});
