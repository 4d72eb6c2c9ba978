import { describe, expect, it } from "vitest";
import { createCoalescingEventLog } from "./coalesce";
import type { EventLogEntry, IoOptions } from "./ports";

const START = Date.parse("2026-11-23T12:00:00.000Z");

function harness(opts: { fails?: (entry: EventLogEntry) => boolean } = {}) {
  let now = START;
  const written: EventLogEntry[] = [];
  const signals: (AbortSignal | undefined)[] = [];
  const log = createCoalescingEventLog({
    eventLog: {
      async append(entry, io?: IoOptions) {
        signals.push(io?.signal);
        if (opts.fails?.(entry)) throw new Error(`cannot write ${entry.message}`);
        written.push(entry);
      },
    },
    clock: { now: () => new Date(now) },
    windowMs: 60_000,
    keyOf: (entry) => (entry.kind === "pass" ? null : `${entry.kind} ${entry.data?.route ?? ""}`),
  });
  return {
    log,
    written,
    signals,
    advance: (ms: number) => {
      now += ms;
    },
    summary: () => written.map((e) => [e.kind, e.data?.count, e.data?.collapsed]),
  };
}

const hit = (route = "/a", extra: Record<string, unknown> = {}): EventLogEntry => ({
  kind: "hit",
  level: "warn",
  message: `hit ${route}`,
  data: { route, ...extra },
});
const pass = (message = "other"): EventLogEntry => ({ kind: "pass", level: "info", message });

describe("createCoalescingEventLog", () => {
  it("writes the first entry of a key at once, with count 1", async () => {
    const h = harness();
    await h.log.append(hit());
    expect(h.written).toEqual([{ ...hit(), data: { route: "/a", count: 1 } }]);
  });

  it("counts the later entries of a key within the window without writing them", async () => {
    const h = harness();
    for (let i = 0; i < 10; i++) {
      await h.log.append(hit());
      h.advance(5_000);
    }
    expect(h.summary()).toEqual([["hit", 1, undefined]]);
  });

  it("keeps different keys apart", async () => {
    const h = harness();
    await h.log.append(hit("/a"));
    await h.log.append(hit("/b"));
    await h.log.append(hit("/a"));
    expect(h.written.map((e) => e.data?.route)).toEqual(["/a", "/b"]);
  });

  it("writes the held count with the next entry of any key once the window is over, before that entry", async () => {
    const h = harness();
    await h.log.append(hit("/a", { retryAfterMs: 1 }));
    h.advance(1_000);
    await h.log.append(hit("/a", { retryAfterMs: 2 }));
    await h.log.append(hit("/a", { retryAfterMs: 3 }));
    h.advance(58_999);
    await h.log.append(pass("inside"));
    expect(h.summary()).toEqual([
      ["hit", 1, undefined],
      ["pass", undefined, undefined],
    ]);

    h.advance(1);
    await h.log.append(pass("after"));
    expect(h.written.slice(2)).toEqual([
      {
        kind: "hit",
        level: "warn",
        message: "hit /a (2 more like this since 2026-11-23T12:00:00.000Z)",
        data: {
          route: "/a",
          retryAfterMs: 3,
          count: 2,
          collapsed: true,
          windowStart: "2026-11-23T12:00:00.000Z",
        },
      },
      pass("after"),
    ]);
  });

  it("opens a new window for the first entry of a key after its window is over", async () => {
    const h = harness();
    await h.log.append(hit());
    await h.log.append(hit());
    h.advance(60_000);
    await h.log.append(hit());
    await h.log.append(hit());
    expect(h.summary()).toEqual([
      ["hit", 1, undefined],
      ["hit", 1, true],
      ["hit", 1, undefined],
    ]);
    expect(h.written[2]?.data?.windowStart).toBeUndefined();
  });

  it("writes nothing when a window closes without repeats", async () => {
    const h = harness();
    await h.log.append(hit());
    h.advance(120_000);
    await h.log.flush({ all: true });
    expect(h.written).toHaveLength(1);
  });

  it("flush writes only the windows that are over; flush all writes every one and forgets it", async () => {
    const h = harness();
    await h.log.append(hit("/old"));
    await h.log.append(hit("/old"));
    h.advance(30_000);
    await h.log.append(hit("/new"));
    await h.log.append(hit("/new"));
    await h.log.append(hit("/new"));
    h.advance(30_000);
    await h.log.flush();
    expect(h.written.slice(2).map((e) => [e.data?.route, e.data?.count])).toEqual([["/old", 1]]);
    await h.log.flush();
    expect(h.written).toHaveLength(3);

    await h.log.flush({ all: true });
    expect(h.written.slice(3).map((e) => [e.data?.route, e.data?.count])).toEqual([["/new", 2]]);
    // The window is gone: the next entry of that key is written at once.
    await h.log.append(hit("/new"));
    expect(h.written.slice(4).map((e) => [e.data?.route, e.data?.count])).toEqual([["/new", 1]]);
  });

  it("writes an entry whose key is null as it is, every time", async () => {
    const h = harness();
    await h.log.append(pass());
    await h.log.append(pass());
    expect(h.written).toEqual([pass(), pass()]);
  });

  it("passes the signal to the event log", async () => {
    const h = harness();
    const { signal } = new AbortController();
    await h.log.append(hit(), { signal });
    await h.log.append(hit());
    h.advance(60_000);
    await h.log.flush({ signal });
    expect(h.signals).toEqual([signal, signal]);
  });

  it("rejects with the event log's error, after trying the other entries", async () => {
    const h = harness({ fails: (entry) => entry.data?.collapsed === true });
    await h.log.append(hit());
    await h.log.append(hit());
    h.advance(60_000);
    await expect(h.log.append(pass())).rejects.toThrow("cannot write hit /a (1 more like this");
    expect(h.written.at(-1)).toEqual(pass());

    const failing = harness({ fails: () => true });
    await expect(failing.log.append(hit())).rejects.toThrow("cannot write hit /a");
    await failing.log.append(hit());
    await expect(failing.log.flush({ all: true })).rejects.toThrow("cannot write hit /a (1 more");
  });
});
