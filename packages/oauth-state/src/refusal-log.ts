import type { EventLogEntry } from "./ports";

/** Identical refusals within one clock minute are written to the event log once, with a count. */
export const REFUSAL_WINDOW_SECONDS = 60;

const WINDOW_MS = REFUSAL_WINDOW_SECONDS * 1000;

/**
 * Collapses identical refusals so that nobody can fill the event log by sending garbage to a callback.
 * Refusals are identical when their kind, level, flow, error code, reason, member and Discord account
 * are (never the attacker-chosen text): the first of a clock minute is written at once with
 * `data.count: 1`; the others in that minute are only counted, and their number is written as one more
 * row (`data.count: n`, `data.collapsed: true`, `data.windowStart`) together with the next entry the
 * flows record once the minute is over. Time comes from the flows' `Clock`; there is no timer. The
 * counts live in the process (a restart drops the pending ones).
 */
export interface RefusalLog {
  /** What to write for a refusal at `now`: the counts of closed minutes, then the refusal unless collapsed. */
  admit(entry: EventLogEntry, now: Date): EventLogEntry[];
  /** The counts of the minutes closed by `now`, to write before any other entry. */
  closed(now: Date): EventLogEntry[];
}

/** Creates an empty {@link RefusalLog}. */
export function createRefusalLog(): RefusalLog {
  let window = Number.NaN;
  let slots = new Map<string, { entry: EventLogEntry; repeats: number }>();

  const closed = (now: Date): EventLogEntry[] => {
    const current = Math.floor(now.getTime() / WINDOW_MS);
    if (current === window) return [];
    const windowStart = Number.isNaN(window) ? "" : new Date(window * WINDOW_MS).toISOString();
    const counts: EventLogEntry[] = [];
    for (const { entry, repeats } of slots.values()) {
      if (repeats === 0) continue;
      counts.push({
        ...entry,
        message: `${entry.message} (${repeats} more identical refusals in the minute from ${windowStart})`,
        data: { ...entry.data, count: repeats, collapsed: true, windowStart },
      });
    }
    window = current;
    slots = new Map();
    return counts;
  };

  return {
    closed,
    admit(entry, now) {
      const out = closed(now);
      const data = entry.data ?? {};
      const key = JSON.stringify([
        entry.kind,
        entry.level,
        data.flow ?? null,
        data.code ?? null,
        data.reason ?? null,
        entry.memberId ?? null,
        entry.discordUserId ?? null,
      ]);
      const slot = slots.get(key);
      if (slot !== undefined) {
        slot.repeats++;
        return out;
      }
      slots.set(key, { entry, repeats: 0 });
      out.push({ ...entry, data: { ...data, count: 1 } });
      return out;
    },
  };
}
