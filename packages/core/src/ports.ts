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

/**
 * Waiting. `sleep` settles after `ms` milliseconds, or early when `signal` aborts (it may resolve
 * or reject then; callers treat both as "wake up").
 */
export interface Scheduler {
  sleep(ms: number, opts?: IoOptions): Promise<void>;
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
