/**
 * The ports every guildkit core shares. Each core re-exports the ones it uses, so
 * `import type { Clock } from "@guildkit/role-reconciler"` and `from "@guildkit/core"` name the same
 * type; adapters and tests implement them structurally.
 *
 * Conventions: one options object plus an optional `{ signal }`, `Promise` results, absence is `null`.
 */

/** Options every I/O method accepts. */
export interface IoOptions {
  signal?: AbortSignal;
}

/** The time source. Cores never read the system clock themselves. */
export interface Clock {
  now(): Date;
}

/** An opaque handle returned by {@link Scheduler.setTimer}. */
export type TimerHandle = unknown;

/**
 * Waiting and timers: the one scheduler every core and adapter receives. Cores never call
 * `setTimeout` themselves; the app hands them `systemScheduler` (`@guildkit/core/system`), tests
 * the fake one of `createFakeTime` (`@guildkit/core/testing`).
 */
export interface Scheduler {
  /** Resolves after `ms` milliseconds, or early (resolving, never rejecting) when `signal` aborts. */
  sleep(ms: number, opts?: IoOptions): Promise<void>;
  /** Calls `fn` once, at or after `at` (on the next turn when `at` is in the past). */
  setTimer(at: Date, fn: () => void): TimerHandle;
  /** Cancels a timer that has not fired; a no-op for one that has, or for `null`/`undefined`. */
  clear(handle: TimerHandle): void;
}

/** One event-log line. `kind` is dotted (`role.added`, `discord.api_error`). Never holds a secret. */
export interface EventLogEntry {
  kind: string;
  level: "info" | "warn" | "error";
  message: string;
  memberId?: string | null;
  discordUserId?: string | null;
  data?: Record<string, unknown>;
}

/** The append-only event log (shared by every core). */
export interface EventLog {
  append(entry: EventLogEntry, opts?: IoOptions): Promise<void>;
}
