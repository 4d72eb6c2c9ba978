import {
  type Clock,
  type CoalescingFlushOptions,
  createCoalescingEventLog,
  type EventLog,
  type EventLogEntry,
  type Scheduler,
  type TimerHandle,
} from "@guildkit/core";
import { systemClock, systemScheduler } from "@guildkit/core/system";
import type { DiscordRestLogger } from "./pipeline-config";

/** The process log the reporter also writes to (a pino logger is one). */
export interface ReporterProcessLog {
  warn(fields: Record<string, unknown>, message: string): void;
}

/** Options of {@link createEventLogReporter}. */
export interface EventLogReporterOptions {
  /** Where the client's retries are written (`store.eventLog` of the stores). */
  eventLog: EventLog;
  /** The time the windows are counted by (default `systemClock` of `@guildkit/core/system`). */
  clock?: Clock;
  /**
   * Runs the periodic flush (default `systemScheduler`, whose timers do not keep a process alive);
   * give it with `clock` (the same fake time) in tests.
   */
  scheduler?: Scheduler;
  /** How long repeats of one kind, route and status are counted before being written (default 60 000 ms). */
  windowMs?: number;
  /** Gets every entry written (warn), and the event log's failures. */
  log?: ReporterProcessLog;
  /**
   * How often the counts whose window is over are written when the client is quiet (an unref'd
   * timer; default 10 000 ms; 0: never — call `flush` yourself). Busy clients write them with their
   * next line anyway.
   */
  flushEveryMs?: number;
}

/** What {@link createEventLogReporter} returns. */
export interface EventLogReporter {
  /** The logger to hand to `createDiscordRest` (`logger`). */
  logger: DiscordRestLogger;
  /**
   * Writes the counts whose window is over (the periodic flush does this on its own) or, with
   * `all: true`, every count held; resolves once everything noted so far is written.
   * Never rejects: a failing event log goes to `log`.
   */
  flush(opts?: CoalescingFlushOptions): Promise<void>;
  /** Stops the periodic flush and writes every count held (`flush({ all: true })`): call it at shutdown. */
  close(): Promise<void>;
}

/** The lines of the client that report what it retried on its own (it never throws these at a caller). */
const CLIENT_EVENTS = new Set([
  "discord.rate_limited",
  "discord.retry",
  "discord.invalid_requests",
  "discord.ban_guard",
]);

function pickNumber(value: unknown): number | null {
  return typeof value === "number" && Number.isFinite(value) ? value : null;
}

/** The fields kept of a client log line: route template, status, delays — never a token or URL. */
function clientEventData(kind: string, raw: Record<string, unknown> = {}): Record<string, unknown> {
  const reason = typeof raw.reason === "string" ? raw.reason : null;
  const http = reason ? /^http_(\d{3})$/.exec(reason) : null;
  return {
    route: typeof raw.route === "string" ? raw.route : null,
    status: kind === "discord.rate_limited" ? 429 : http ? Number(http[1]) : pickNumber(raw.status),
    retryAfterMs: pickNumber(raw.retryAfterMs) ?? pickNumber(raw.delayMs),
    ...(typeof raw.scope === "string" ? { scope: raw.scope } : {}),
    ...(reason && !http ? { reason } : {}),
    ...(typeof raw.state === "string" ? { state: raw.state, stopAt: pickNumber(raw.stopAt) } : {}),
    ...(pickNumber(raw.invalidRequestsLast10Min) !== null
      ? { invalidRequestsLast10Min: raw.invalidRequestsLast10Min }
      : {}),
  };
}

function clientEventMessage(kind: string, data: Record<string, unknown>): string {
  const what = data.status ?? data.reason ?? "network error";
  if (kind === "discord.rate_limited") {
    return `Discord rate limited ${data.route} (429, ${data.scope ?? "?"}); the client waited ${data.retryAfterMs} ms and retried`;
  }
  if (kind === "discord.retry") {
    return `Discord call ${data.route} failed (${what}); the client retried after ${data.retryAfterMs} ms`;
  }
  if (kind === "discord.ban_guard") {
    const what =
      data.state === "stopped"
        ? `stopped every call until the window allows (stop at ${data.stopAt})`
        : data.state === "slowing"
          ? "is slowing calls down"
          : "is back to normal";
    return `The Discord ban guard ${what}: ${data.invalidRequestsLast10Min} invalid requests (401/403/429) in the last 10 minutes, last on ${data.route}; Discord bans the IP at 10,000. Fix what Discord refuses (a role above the bot's, a missing permission, a revoked token)`;
  }
  return `${data.invalidRequestsLast10Min} invalid Discord requests (401/403/429) in the last 10 minutes, last on ${data.route}; Discord bans the IP at 10,000`;
}

/**
 * A logger for `createDiscordRest` that writes what the client retries on its own — 429s it
 * waited out (`discord.rate_limited`), 5xx answers, timeouts and resets it retried (`discord.retry`),
 * every 1,000th invalid request (`discord.invalid_requests`) — to the event log and to `log` (warn),
 * with the route template, status and delay only (`data.route`, `data.status`, `data.retryAfterMs`,
 * `data.scope`, `data.reason`): never a token or a URL. Other lines are ignored.
 *
 * Aggregated so that a 429 storm cannot flood the event log (`createCoalescingEventLog` of
 * `@guildkit/core`): per kind, route and status, the first is written at once (`data.count: 1`);
 * the later ones within `windowMs` are counted and written as one entry (`data.count: n`,
 * `data.collapsed: true`, `data.windowStart`) once the window is over — at the next line of the
 * client, at the periodic flush (`flushEveryMs`), or at {@link EventLogReporter.flush} /
 * {@link EventLogReporter.close}. That is at most two rows per kind, route and status per window.
 */
export function createEventLogReporter(options: EventLogReporterOptions): EventLogReporter {
  const { log } = options;
  const clock = options.clock ?? systemClock;
  const scheduler = options.scheduler ?? systemScheduler;
  // Timers are set on the scheduler's own time: the system clock unless a scheduler (fake time) is given.
  const timerClock = options.scheduler ? clock : systemClock;
  const coalesced = createCoalescingEventLog({
    eventLog: {
      append(entry, io) {
        log?.warn({ kind: entry.kind, ...entry.data }, entry.message);
        return options.eventLog.append(entry, io);
      },
    },
    clock,
    windowMs: options.windowMs ?? 60_000,
    keyOf: (entry) => JSON.stringify([entry.kind, entry.data?.route, entry.data?.status]),
  });
  let writes: Promise<void> = Promise.resolve();

  /** Keeps `write` (started now, so its clock reading is the line's time) for the next flush to wait on. */
  function track(write: Promise<void>): Promise<void> {
    const settled = write.catch((error: unknown) => {
      log?.warn({ err: error }, "cannot write to the event log");
    });
    writes = writes.then(() => settled);
    return writes;
  }

  function note(kind: string, raw?: Record<string, unknown>): void {
    if (!CLIENT_EVENTS.has(kind)) return;
    const data = clientEventData(kind, raw);
    const entry: EventLogEntry = { kind, level: "warn", message: clientEventMessage(kind, data), data };
    void track(coalesced.append(entry));
  }

  const flush = (opts?: CoalescingFlushOptions) => track(coalesced.flush(opts));
  const every = options.flushEveryMs ?? 10_000;
  let timer: TimerHandle | null = null;
  const arm = () => {
    timer = scheduler.setTimer(new Date(timerClock.now().getTime() + every), () => {
      void flush();
      arm();
    });
  };
  if (every > 0) arm();

  return {
    logger: { debug: note, warn: note },
    flush,
    close() {
      scheduler.clear(timer);
      timer = null;
      return flush({ all: true });
    },
  };
}
