import type { Clock, EventLog, EventLogEntry, IoOptions } from "./ports";

/** Options of {@link createCoalescingEventLog}. */
export interface CoalescingEventLogOptions {
  /** Where entries are written. */
  eventLog: EventLog;
  /** The only time source: windows open and close by it, no timer is set. */
  clock: Clock;
  /** How long a window lasts, from the first entry of its key (e.g. `60_000`). */
  windowMs: number;
  /**
   * Which entries are "the same": entries with equal keys share a window. `null`: the entry is never
   * collapsed (written as it is). Build keys from fields an attacker cannot vary at will, and include
   * the kind.
   */
  keyOf(entry: EventLogEntry): string | null;
}

/** Options of {@link CoalescingEventLog.flush}. */
export interface CoalescingFlushOptions extends IoOptions {
  /** Close every window, over or not (shutdown). Default: only the windows that are over. */
  all?: boolean;
}

/** An {@link EventLog} that collapses repeated entries; see {@link createCoalescingEventLog}. */
export interface CoalescingEventLog extends EventLog {
  /**
   * Writes the held counts of the windows that are over (with `all`: of every window) and forgets
   * those windows. Rejects with the event log's first error, after trying every count.
   */
  flush(opts?: CoalescingFlushOptions): Promise<void>;
}

interface Window {
  /** `clock.now()` of the window's first entry, in ms. */
  start: number;
  /** The latest entry counted in the window (the base of its count entry). */
  latest: EventLogEntry;
  /** Entries counted, not written. */
  held: number;
}

/**
 * Wraps an event log so that repeated entries cannot flood it. Per key (see `keyOf`), the first entry
 * opens a window of `windowMs` and is written at once with `data.count: 1`; the later ones in that
 * window are only counted. When the window is over, its count is written as one entry — the window's
 * latest entry with `data.count: n` (how many were held back), `data.collapsed: true`,
 * `data.windowStart` (ISO time of the first) and the message saying how many more there were — and the
 * next entry of that key opens a new window.
 *
 * A window's count is written before the next entry of any key appended after the window is over, or
 * at {@link CoalescingEventLog.flush}; there is no timer. At most two rows per key and window reach the
 * event log. Entries whose key is `null` pass through unchanged (but still carry the counts that are
 * due). Counts live in memory: a process that stops without `flush({ all: true })` drops them.
 *
 * `append` tries every entry it has to write (the counts that are due, then the entry) and rejects
 * with the first error of the underlying event log, so a failure reaches the caller; an entry whose
 * write failed is not retried.
 */
export function createCoalescingEventLog(options: CoalescingEventLogOptions): CoalescingEventLog {
  const { eventLog, clock, windowMs, keyOf } = options;
  const windows = new Map<string, Window>();

  /** Forgets the windows over at `now` (every one with `all`) and returns their count entries. */
  function close(now: number, all: boolean): EventLogEntry[] {
    const counts: EventLogEntry[] = [];
    for (const [key, window] of windows) {
      if (!all && now - window.start < windowMs) continue;
      windows.delete(key);
      if (window.held > 0) counts.push(countEntry(window));
    }
    return counts;
  }

  async function write(entries: readonly EventLogEntry[], io: IoOptions): Promise<void> {
    let failure: { error: unknown } | null = null;
    for (const entry of entries) {
      try {
        await eventLog.append(entry, io);
      } catch (error) {
        failure ??= { error };
      }
    }
    if (failure !== null) throw failure.error;
  }

  return {
    append(entry, io = {}) {
      const now = clock.now().getTime();
      const out = close(now, false);
      const key = keyOf(entry);
      const window = key === null ? undefined : windows.get(key);
      if (key === null) {
        out.push(entry);
      } else if (window !== undefined) {
        window.held += 1;
        window.latest = entry;
      } else {
        windows.set(key, { start: now, latest: entry, held: 0 });
        out.push({ ...entry, data: { ...entry.data, count: 1 } });
      }
      return write(out, io);
    },

    flush({ all = false, ...io } = {}) {
      return write(close(clock.now().getTime(), all), io);
    },
  };
}

function countEntry(window: Window): EventLogEntry {
  const windowStart = new Date(window.start).toISOString();
  return {
    ...window.latest,
    message: `${window.latest.message} (${window.held} more like this since ${windowStart})`,
    data: { ...window.latest.data, count: window.held, collapsed: true, windowStart },
  };
}
