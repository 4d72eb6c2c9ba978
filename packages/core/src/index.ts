/**
 * @guildkit/core — the ports every guildkit core shares (`Clock`, `Scheduler`, `EventLog`) and a
 * coalescing event log. Pure: no I/O, no timers, no system clock.
 *
 * @packageDocumentation
 */

export {
  type CoalescingEventLog,
  type CoalescingEventLogOptions,
  type CoalescingFlushOptions,
  createCoalescingEventLog,
} from "./coalesce";
export type { Clock, EventLog, EventLogEntry, IoOptions, Scheduler } from "./ports";
