/**
 * `@guildkit/core/testing` — fake time and an in-memory event log, for tests of any guildkit core
 * or adapter (and of a host's own code that takes a `Clock` and a `Scheduler`).
 *
 * @packageDocumentation
 */
import type { Clock, EventLog, EventLogEntry, IoOptions, Scheduler, TimerHandle } from "./ports";

/** Time that moves only when the test says so. */
export interface FakeTime {
  clock: Clock;
  scheduler: Scheduler;
  /** The current fake time in ms since the epoch. */
  now(): number;
  /**
   * Moves time forward by `ms`, firing every timer that falls due in order (time stands at each
   * timer's moment while it runs) and letting the promise chains they start settle in between.
   */
  advance(ms: number): Promise<void>;
  /** Fires what is due now and lets promise chains settle, without moving time. */
  flush(): Promise<void>;
  /** Timers armed and not yet fired or cleared. */
  pending(): number;
}

interface FakeTimer {
  at: number;
  seq: number;
  fn: () => void;
}

/** Lets queued microtasks and the promise chains they start run (a few macrotask turns, no waiting). */
async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await new Promise<void>((resolve) => setImmediate(resolve));
}

/** Fake time starting at `start` (default 2026-01-01T00:00:00Z). */
export function createFakeTime(start: Date | number = Date.UTC(2026, 0, 1)): FakeTime {
  let now = typeof start === "number" ? start : start.getTime();
  let seq = 0;
  const timers = new Set<FakeTimer>();

  const nextDue = (until: number): FakeTimer | null => {
    let best: FakeTimer | null = null;
    for (const t of timers) {
      if (t.at > until) continue;
      if (!best || t.at < best.at || (t.at === best.at && t.seq < best.seq)) best = t;
    }
    return best;
  };

  const setTimer = (at: Date, fn: () => void): TimerHandle => {
    const timer: FakeTimer = { at: Math.max(at.getTime(), now), seq: seq++, fn };
    timers.add(timer);
    return timer;
  };

  const scheduler: Scheduler = {
    sleep(ms: number, opts: IoOptions = {}): Promise<void> {
      const { signal } = opts;
      if (signal?.aborted) return Promise.resolve();
      return new Promise<void>((resolve) => {
        const done = () => {
          timers.delete(timer);
          signal?.removeEventListener("abort", done);
          resolve();
        };
        const timer = setTimer(new Date(now + Math.max(0, ms)), done) as FakeTimer;
        signal?.addEventListener("abort", done, { once: true });
      });
    },
    setTimer,
    clear(handle: TimerHandle) {
      timers.delete(handle as FakeTimer);
    },
  };

  const runUntil = async (until: number) => {
    await settle();
    for (let timer = nextDue(until); timer; timer = nextDue(until)) {
      timers.delete(timer);
      now = Math.max(now, timer.at);
      timer.fn();
      await settle();
    }
    now = Math.max(now, until);
  };

  return {
    clock: { now: () => new Date(now) },
    scheduler,
    now: () => now,
    advance: (ms: number) => runUntil(now + Math.max(0, ms)),
    flush: () => runUntil(now),
    pending: () => timers.size,
  };
}

/** An event log that keeps its entries in memory. */
export interface MemoryEventLog extends EventLog {
  readonly entries: EventLogEntry[];
  /** Entries of one kind. */
  ofKind(kind: string): EventLogEntry[];
}

/** An in-memory {@link EventLog}: `entries` in the order appended. */
export function createMemoryEventLog(): MemoryEventLog {
  const entries: EventLogEntry[] = [];
  return {
    entries,
    async append(entry: EventLogEntry, opts: IoOptions = {}) {
      opts.signal?.throwIfAborted();
      entries.push(structuredClone(entry));
    },
    ofKind: (kind: string) => entries.filter((e) => e.kind === kind),
  };
}

/**
 * A `Scheduler` made of a test's own `sleep` (one that records waits, resolves at once, or waits for
 * the test); its `setTimer` throws, so code that unexpectedly arms a timer fails the test.
 */
export function schedulerFromSleep(sleep: Scheduler["sleep"]): Scheduler {
  return {
    sleep,
    setTimer: () => {
      throw new Error("this test's scheduler only sleeps: setTimer was not expected");
    },
    clear: () => {},
  };
}

/** Fake time that moves on its own: see {@link createInstantTime}. */
export interface InstantTime {
  clock: Clock;
  scheduler: Scheduler;
  /** Every sleep and timer asked for, in ms, in order. */
  waits: number[];
  now(): number;
  /** Moves time forward by `ms` (the waits it asks for move it on their own). */
  advance(ms: number): Promise<void>;
}

/**
 * Fake time (`createFakeTime`) that moves forward on its own by every wait asked of its scheduler, so
 * code that waits 1.5 s for a rate-limit bucket runs at once; `waits` lists each sleep and timer in
 * milliseconds, in the order they were asked for. For tests of code whose waits are not the subject.
 */
export function createInstantTime(start: Date | number = 1_700_000_000_000): InstantTime {
  const time = createFakeTime(start);
  const waits: number[] = [];
  const scheduler: Scheduler = {
    sleep(ms, opts) {
      waits.push(ms);
      const slept = time.scheduler.sleep(ms, opts);
      void time.advance(ms);
      return slept;
    },
    setTimer(at, fn) {
      const ms = Math.max(0, at.getTime() - time.now());
      waits.push(ms);
      const handle = time.scheduler.setTimer(at, fn);
      void time.advance(ms);
      return handle;
    },
    clear: (handle) => time.scheduler.clear(handle),
  };
  return { clock: time.clock, scheduler, waits, now: time.now, advance: time.advance };
}
