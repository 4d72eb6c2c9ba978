import type { Clock } from "@guildkit/core";

/**
 * Where invalid requests (401, 403, a 429 other than `shared`) are counted over Discord's 10-minute
 * window: in this process ({@link createMemoryInvalidRequestLedger}) or across every process that
 * shares one bot token's IP budget ({@link createRedisInvalidRequestLedger}).
 */
export interface InvalidRequestLedger {
  /**
   * Records one invalid request (or reserves a place for one about to be sent, under `id`, taken back
   * with {@link remove}); resolves with the count in the window, this one included.
   */
  add(id?: string): Promise<number>;
  /** Takes back what {@link add} recorded under `id` (the call turned out valid, or was never sent). */
  remove(id: string): Promise<void>;
  /** The count in the window now. */
  count(): Promise<number>;
  /** Milliseconds until fewer than `below` remain in the window (0 when that is so already). */
  msUntilBelow(below: number): Promise<number>;
  /** Releases connections the ledger opened (optional). */
  close?(): Promise<void>;
}

/** Options of {@link createMemoryInvalidRequestLedger}. */
export interface MemoryInvalidRequestLedgerOptions {
  clock: Clock;
  /** The counting window (default 10 minutes, Discord's). */
  windowMs?: number;
}

/**
 * Counts in this process, in one-second slots (at most `windowMs / 1000` slots, whatever the volume).
 *
 * @example
 * const ledger = createMemoryInvalidRequestLedger({ clock: systemClock });
 */
export function createMemoryInvalidRequestLedger(
  options: MemoryInvalidRequestLedgerOptions,
): InvalidRequestLedger {
  const windowMs = options.windowMs ?? 10 * 60_000;
  const now = () => options.clock.now().getTime();
  /** second → count, in insertion (= time) order. */
  const slots = new Map<number, number>();
  /** Reservations still held: id → their second. */
  const reserved = new Map<string, number>();
  const prune = () => {
    const oldest = Math.floor((now() - windowMs) / 1000);
    for (const second of slots.keys()) {
      if (second > oldest) break;
      slots.delete(second);
    }
    for (const [id, second] of reserved) if (second <= oldest) reserved.delete(id);
  };
  const total = () => {
    prune();
    let sum = 0;
    for (const value of slots.values()) sum += value;
    return sum;
  };
  return {
    async add(id) {
      const second = Math.floor(now() / 1000);
      slots.set(second, (slots.get(second) ?? 0) + 1);
      if (id !== undefined) reserved.set(id, second);
      return total();
    },
    async remove(id) {
      const second = reserved.get(id);
      if (second === undefined) return;
      reserved.delete(id);
      const value = slots.get(second) ?? 0;
      if (value <= 1) slots.delete(second);
      else slots.set(second, value - 1);
    },
    async count() {
      return total();
    },
    async msUntilBelow(below) {
      let remaining = total();
      if (remaining < below) return 0;
      for (const [second, value] of slots) {
        remaining -= value;
        if (remaining < below) return Math.max(0, (second + 1) * 1000 + windowMs - now());
      }
      return 0;
    },
  };
}
