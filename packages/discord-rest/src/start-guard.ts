/**
 * The local guard behind the request budget: at most `rps` starts in any window, judged by when
 * the server can have seen them.
 *
 * Bottleneck plans starts `minTime` apart, but two things make a server count more than planned in
 * one second: a timer that fires late (the next start looks early), and a request that reaches the
 * server late (connection set-up, an event-loop stall — its arrival slides towards the next ones).
 * The guard holds a start until the start `rps` places earlier is `windowMs` old and, when that
 * request took longer than the fastest round trip seen, one second plus that excess (at most
 * `stallCapMs`) old — so the server's clock cannot put `rps + 1` of them in one second.
 */

import type { Clock, Scheduler } from "@guildkit/core";
import { systemClock, systemScheduler } from "@guildkit/core/system";

/** Options of {@link createStartGuard}. */
export interface StartGuardOptions {
  /** Starts allowed per window (an integer ≥ 1; a fractional budget allows its floor). */
  rps: number;
  /** The window in ms (1 000 plus the budget's margin). */
  windowMs: number;
  /** Most extra time a slow or unanswered request holds its slot (default 1 000 ms). */
  stallCapMs?: number;
  /** Floor of the server-side delay of any request, in ms (default 5). */
  floorMs?: number;
  /** Default `systemClock` (`@guildkit/core/system`). */
  clock?: Clock;
  /** Default `systemScheduler`. */
  scheduler?: Scheduler;
}

/** Admits starts one at a time, in call order. */
export interface StartGuard {
  /** Resolves when a start may happen; call the returned function once the request has been answered. */
  admit(): Promise<() => void>;
}

interface StartRecord {
  start: number;
  end: number | null;
  done: Promise<void>;
}

/** Creates a start guard (see the module comment). */
export function createStartGuard(options: StartGuardOptions): StartGuard {
  const clock = options.clock ?? systemClock;
  const scheduler = options.scheduler ?? systemScheduler;
  const now = () => clock.now().getTime();
  const window = Math.max(1, Math.floor(options.rps));
  const stallCapMs = options.stallCapMs ?? 1000;
  const floorMs = options.floorMs ?? 5;
  const records: StartRecord[] = [];
  let fastest = Number.POSITIVE_INFINITY;
  let chain: Promise<unknown> = Promise.resolve();

  const earliestAfter = (old: StartRecord): number => {
    const base = old.start + options.windowMs;
    if (old.end === null) return Math.max(base, old.start + 1000 + floorMs + stallCapMs);
    const excess = Math.min(stallCapMs, Math.max(0, old.end - old.start - fastest));
    return Math.max(base, old.start + 1000 + floorMs + excess);
  };

  return {
    admit() {
      const turn = chain.then(async () => {
        if (records.length >= window) {
          const old = records[records.length - window]!;
          if (old.end === null) {
            // Wait for its answer, or until it has held the slot as long as it may.
            const wait = old.start + 1000 + floorMs + stallCapMs - now();
            if (wait > 0) {
              const answered = new AbortController();
              await Promise.race([old.done, scheduler.sleep(wait, { signal: answered.signal })]);
              answered.abort();
            }
          }
          const wait = earliestAfter(old) - now();
          if (wait > 0) await scheduler.sleep(wait);
        }
        let finish: () => void = () => {};
        const record: StartRecord = {
          start: now(),
          end: null,
          done: new Promise<void>((resolve) => {
            finish = resolve;
          }),
        };
        records.push(record);
        if (records.length > window) records.splice(0, records.length - window);
        return () => {
          if (record.end !== null) return;
          record.end = now();
          fastest = Math.min(fastest, record.end - record.start);
          finish();
        };
      });
      chain = turn;
      return turn;
    },
  };
}
