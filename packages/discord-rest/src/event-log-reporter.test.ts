import type { EventLogEntry } from "@guildkit/core";
import { createFakeTime } from "@guildkit/core/testing";
import { describe, expect, it } from "vitest";
import { createEventLogReporter } from "./event-log-reporter";

const ROLE = "PUT /guilds/:guild/members/:user/roles/:role";
const MEMBER = "GET /guilds/:guild/members/:user";

function harness(opts: { failing?: boolean } = {}) {
  let now = Date.parse("2026-11-23T12:00:00.000Z");
  const written: EventLogEntry[] = [];
  const warnings: { fields: Record<string, unknown>; message: string }[] = [];
  const reporter = createEventLogReporter({
    eventLog: {
      async append(entry) {
        if (opts.failing) throw new Error("database is down");
        written.push(entry);
      },
    },
    clock: { now: () => new Date(now) },
    log: { warn: (fields, message) => warnings.push({ fields, message }) },
  });
  const { logger } = reporter;
  return {
    reporter,
    written,
    warnings,
    advance: (ms: number) => {
      now += ms;
    },
    rateLimited: (route = ROLE) =>
      logger.warn("discord.rate_limited", { route, scope: "user", retryAfterMs: 30, attempt: 1 }),
    retried: (reason: string, route = MEMBER) =>
      logger.debug("discord.retry", { route, reason, attempt: 1, delayMs: 250 }),
    summary: () => written.map((e) => [e.kind, e.data?.status, e.data?.count, e.data?.collapsed]),
  };
}

describe("createEventLogReporter", () => {
  it("writes the counts whose window is over every flushEveryMs on its own, on the scheduler it is given", async () => {
    const time = createFakeTime(Date.parse("2026-11-23T12:00:00.000Z"));
    const written: EventLogEntry[] = [];
    const reporter = createEventLogReporter({
      eventLog: { append: async (entry) => void written.push(entry) },
      clock: time.clock,
      scheduler: time.scheduler,
      windowMs: 60_000,
      flushEveryMs: 10_000,
    });
    const line = { route: ROLE, scope: "user", retryAfterMs: 30, attempt: 1 };
    reporter.logger.warn("discord.rate_limited", line);
    reporter.logger.warn("discord.rate_limited", line);
    await time.advance(50_000);
    expect(written.map((e) => e.data?.count)).toEqual([1]);
    await time.advance(20_000);
    expect(written.map((e) => [e.data?.count, e.data?.collapsed])).toEqual([
      [1, undefined],
      [1, true],
    ]);
    expect(time.pending()).toBe(1);
    await reporter.close();
    expect(time.pending()).toBe(0);
  });

  it("writes a 429 the client waited out as discord.rate_limited, with route template, status, delay and scope", async () => {
    const h = harness();
    h.rateLimited();
    await h.reporter.flush();
    expect(h.written).toEqual([
      {
        kind: "discord.rate_limited",
        level: "warn",
        message: `Discord rate limited ${ROLE} (429, user); the client waited 30 ms and retried`,
        data: { route: ROLE, status: 429, retryAfterMs: 30, scope: "user", count: 1 },
      },
    ]);
    expect(h.warnings).toEqual([
      { fields: { kind: "discord.rate_limited", ...h.written[0]?.data }, message: h.written[0]?.message },
    ]);
  });

  it("writes a retried 5xx with its HTTP status, and a timeout or reset with its reason", async () => {
    const h = harness();
    h.retried("http_502");
    h.retried("timeout");
    h.retried("ECONNRESET", ROLE);
    await h.reporter.flush();
    expect(h.written.map((e) => [e.kind, e.data?.status, e.data?.reason, e.data?.retryAfterMs])).toEqual([
      ["discord.retry", 502, undefined, 250],
      ["discord.retry", null, "timeout", 250],
      ["discord.retry", null, "ECONNRESET", 250],
    ]);
    expect(h.written[1]?.message).toBe(
      `Discord call ${MEMBER} failed (timeout); the client retried after 250 ms`,
    );
  });

  it("writes the invalid-request warning with its count", async () => {
    const h = harness();
    h.reporter.logger.warn("discord.invalid_requests", {
      route: MEMBER,
      status: 403,
      invalidRequestsLast10Min: 2000,
      note: "Discord bans the IP…",
    });
    await h.reporter.flush();
    expect(h.written[0]).toMatchObject({
      kind: "discord.invalid_requests",
      data: { route: MEMBER, status: 403, invalidRequestsLast10Min: 2000, count: 1 },
    });
    expect(h.written[0]?.data).not.toHaveProperty("note");
  });

  it("ignores the client's other lines", async () => {
    const h = harness();
    h.reporter.logger.debug("discord.request", { route: MEMBER });
    h.reporter.logger.warn("something.else");
    await h.reporter.flush({ all: true });
    expect(h.written).toEqual([]);
  });

  it("counts repeats per kind, route and status within the window and writes them once it is over, at the next line", async () => {
    const h = harness();
    for (let i = 0; i < 30; i++) h.rateLimited();
    h.rateLimited("DELETE /guilds/:guild/members/:user/roles/:role");
    h.retried("http_502");
    h.retried("http_503");
    h.retried("http_502");
    await h.reporter.flush();
    expect(h.summary()).toEqual([
      ["discord.rate_limited", 429, 1, undefined],
      ["discord.rate_limited", 429, 1, undefined],
      ["discord.retry", 502, 1, undefined],
      ["discord.retry", 503, 1, undefined],
    ]);

    h.advance(60_000);
    h.retried("http_503");
    await h.reporter.flush();
    expect(h.summary().slice(4)).toEqual([
      ["discord.rate_limited", 429, 29, true],
      ["discord.retry", 502, 1, true],
      ["discord.retry", 503, 1, undefined],
    ]);
    expect(h.written[4]?.message).toBe(
      `Discord rate limited ${ROLE} (429, user); the client waited 30 ms and retried (29 more like this since 2026-11-23T12:00:00.000Z)`,
    );
  });

  it("flush writes the counts whose window is over; flush all writes every count", async () => {
    const h = harness();
    h.rateLimited();
    h.rateLimited();
    h.advance(59_000);
    h.retried("http_500");
    h.retried("http_500");
    await h.reporter.flush();
    expect(h.written).toHaveLength(2);
    h.advance(1_000);
    await h.reporter.flush();
    expect(h.summary().slice(2)).toEqual([["discord.rate_limited", 429, 1, true]]);
    await h.reporter.flush({ all: true });
    expect(h.summary().slice(3)).toEqual([["discord.retry", 500, 1, true]]);
  });

  it("reports a failing event log to the process log, and flush still resolves", async () => {
    const h = harness({ failing: true });
    h.rateLimited();
    h.rateLimited();
    await expect(h.reporter.flush({ all: true })).resolves.toBeUndefined();
    expect(h.warnings.filter((w) => w.message === "cannot write to the event log")).toHaveLength(2);
  });
});
