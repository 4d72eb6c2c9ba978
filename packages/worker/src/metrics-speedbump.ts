import type { Clock, SpeedbumpStore } from "@guildkit/pk-speedbump";
import type { Registry } from "prom-client";
import { counterOn, histogramOn, intercept, replaceGauge, seconds } from "./metrics-shared";

/** Hold durations, in seconds: the speedbump's delay is a few seconds; a retried delivery, longer. */
const HOLD_BUCKETS = [0.1, 0.5, 1, 2, 3, 4, 5, 6, 8, 10, 15, 30, 60, 300];

/**
 * The speedbump's store, its holds counted on `registry`: `guildkit_speedbump_holds_total` (messages
 * put on hold; a hold updated during its wait counts once, a hold recovered after a restart not
 * again) and `guildkit_speedbump_hold_duration_seconds` (from the hold to its end: delivered when
 * due, or dropped because PluralKit deleted the message and proxied it).
 */
export function meterSpeedbumpStore<TStore extends SpeedbumpStore>(
  store: TStore,
  registry: Registry,
  clock: Clock,
): TStore {
  const holds = counterOn(registry, "guildkit_speedbump_holds_total", "Messages the speedbump put on hold");
  const duration = histogramOn(
    registry,
    "guildkit_speedbump_hold_duration_seconds",
    "Time a message spent on hold, until delivered or dropped (PluralKit proxied it)",
    HOLD_BUCKETS,
  );
  // When each hold in force began: bounded by the holds pending.
  const heldAt = new Map<string, number>();
  const saveHold: SpeedbumpStore["saveHold"] = async (hold, opts) => {
    await store.saveHold(hold, opts);
    if (heldAt.has(hold.messageId)) return;
    heldAt.set(hold.messageId, hold.heldAt.getTime());
    holds.inc();
  };
  const deleteHold: SpeedbumpStore["deleteHold"] = async (opts) => {
    await store.deleteHold(opts);
    const since = heldAt.get(opts.messageId);
    if (since === undefined) return;
    heldAt.delete(opts.messageId);
    duration.observe(seconds(clock.now().getTime() - since));
  };
  const listHolds: SpeedbumpStore["listHolds"] = async (opts) => {
    const list = await store.listHolds(opts);
    for (const hold of list) heldAt.set(hold.messageId, hold.heldAt.getTime());
    return list;
  };
  return intercept(store, { saveHold, deleteHold, listHolds } as Partial<TStore>);
}

/** Registers `guildkit_speedbump_pending_holds`, read at scrape time from the speedbump. */
export function registerSpeedbumpGauges(
  registry: Registry,
  speedbump: { stats(): { pendingHolds: number } },
): void {
  replaceGauge(registry, {
    name: "guildkit_speedbump_pending_holds",
    help: "Messages on hold now",
    read: async () => [[{}, speedbump.stats().pendingHolds]],
  });
}
