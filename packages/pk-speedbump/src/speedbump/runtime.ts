import { isRetryableError } from "@guildkit/core";
import type { Delivery } from "../delivery";
import { createLines, type Lines } from "../lines";
import { type ResolvedSpeedbumpOptions, resolveSpeedbumpOptions } from "../options";
import type { EventLogEntry } from "../ports";
import type { SpeedbumpDeps, SpeedbumpStats } from "./types";

/** The counters of {@link SpeedbumpStats} the parts of the speedbump bump. */
export type SpeedbumpCounters = Omit<SpeedbumpStats, "pendingHolds" | "channels">;

/**
 * What every part of one speedbump shares: its dependencies and options, its lines, its counters,
 * the background work it waits for on `settled()`, and the event log.
 */
export interface SpeedbumpRuntime {
  readonly deps: SpeedbumpDeps;
  readonly options: ResolvedSpeedbumpOptions;
  readonly lines: Lines;
  readonly counters: SpeedbumpCounters;
  /** Set by `stop()`: no timer is armed and no release runs after it. */
  stopped: boolean;
  now(): Date;
  /** Hands a delivery to the sink and counts it (a sink failure rejects). */
  send(delivery: Delivery): Promise<void>;
  /** Keeps `promise` in the background work `settled()` waits for. */
  track<T>(promise: Promise<T>): Promise<T>;
  /** Appends to the event log in the background (a failed write is ignored). */
  log(entry: EventLogEntry): void;
  /** Logs a failed store call; the speedbump goes on in memory. */
  storeFailed(operation: string, error: unknown, data?: Record<string, unknown>): void;
  /** Resolves once no line and no background work is busy. */
  settled(): Promise<void>;
}

/** `Name: message` of an error, for log lines. */
export function describeError(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

/** True unless the error says (by the core's contract) that a retry cannot help. */
export function isWorthRetrying(error: unknown): boolean {
  return !isRetryableError(error) || error.retryable;
}

/** The HTTP status of a contract error, for log data; null otherwise. */
export function statusOf(error: unknown): number | null {
  return isRetryableError(error) ? error.status : null;
}

/** Creates the shared runtime of one speedbump. */
export function createSpeedbumpRuntime(deps: SpeedbumpDeps): SpeedbumpRuntime {
  const eventLog = deps.eventLog ?? null;
  const { clock, deliver } = deps;
  const lines = createLines();
  const background = new Set<Promise<unknown>>();

  function track<T>(promise: Promise<T>): Promise<T> {
    background.add(promise);
    const done = () => background.delete(promise);
    promise.then(done, done);
    return promise;
  }

  function log(entry: EventLogEntry): void {
    if (!eventLog) return;
    track(eventLog.append(entry).catch(() => undefined));
  }

  const counters: SpeedbumpCounters = {
    delivered: 0,
    held: 0,
    dropped: 0,
    webhookChecks: 0,
    lookups: 0,
    lookupFailures: 0,
  };

  return {
    deps,
    options: resolveSpeedbumpOptions(deps.options),
    lines,
    counters,
    stopped: false,
    now: () => clock.now(),
    async send(delivery) {
      await deliver(delivery);
      counters.delivered++;
    },
    track,
    log,
    storeFailed(operation, error, data = {}) {
      log({
        kind: "speedbump.store_error",
        level: "error",
        message: `speedbump store ${operation} failed (${describeError(error)}); continuing in memory`,
        data: { operation, ...data },
      });
    },
    async settled() {
      while (lines.size > 0 || background.size > 0) {
        await Promise.all([...lines.tails(), ...background]);
      }
    },
  };
}
