import { createCoalescingEventLog } from "@guildkit/core";
import type { FlowContext, Trace } from "./context";
import { AuthorizationDeniedError, IdentityProviderError, type OAuthFlow, OAuthFlowError } from "./errors";
import type { Clock, EventLog, EventLogEntry, IoOptions } from "./ports";

/** Identical refusals within this many seconds of the first are written once, with a count. */
export const REFUSAL_WINDOW_SECONDS = 60;

/**
 * The flows' event log over `eventLog`: identical refusals (`oauth.error` entries) are collapsed so
 * that nobody can fill the event log by sending garbage to a callback. Refusals are identical when
 * their kind, level, flow, error code, reason, member and Discord account are (never the
 * attacker-chosen text): the first is written at once with `data.count: 1`; the others within
 * {@link REFUSAL_WINDOW_SECONDS} are only counted, and their number is written as one more row
 * (`data.count: n`, `data.collapsed: true`, `data.windowStart`) together with the next entry the flows
 * record once the window is over. Time comes from `clock`; there is no timer. The counts live in the
 * process (a restart drops the pending ones).
 */
export function refusalLog(eventLog: EventLog, clock: Clock): EventLog {
  return createCoalescingEventLog({
    eventLog,
    clock,
    windowMs: REFUSAL_WINDOW_SECONDS * 1000,
    keyOf(entry) {
      if (entry.kind !== "oauth.error") return null;
      const data = entry.data ?? {};
      return JSON.stringify([
        entry.kind,
        entry.level,
        data.flow ?? null,
        data.code ?? null,
        data.reason ?? null,
        entry.memberId ?? null,
        entry.discordUserId ?? null,
      ]);
    },
  });
}

/** Append to the event log; a failing log never changes the flow's outcome. */
export async function record(ctx: FlowContext, entry: EventLogEntry, opts: IoOptions): Promise<void> {
  try {
    await ctx.eventLog.append(entry, opts);
  } catch (error) {
    ctx.onEventLogFailure?.(error, entry);
  }
}

/**
 * Run one callback step: on failure, write one `oauth.error` line (code, reason — never a token or a
 * code; identical refusals collapsed, see {@link refusalLog}) and rethrow.
 */
export async function traced<T>(
  ctx: FlowContext,
  flow: OAuthFlow,
  trace: Trace,
  opts: IoOptions,
  step: () => Promise<T>,
): Promise<T> {
  try {
    return await step();
  } catch (error) {
    await record(ctx, failureEntry(flow, trace, error), opts);
    throw error;
  }
}

function failureEntry(flow: OAuthFlow, trace: Trace, error: unknown): EventLogEntry {
  const discordUserId =
    trace.discordUserId ?? (error as { discordUserId?: unknown } | null)?.discordUserId ?? null;
  const base = {
    memberId: trace.memberId,
    discordUserId: typeof discordUserId === "string" ? discordUserId : null,
  };
  if (!(error instanceof OAuthFlowError)) {
    const name = error instanceof Error ? error.name : typeof error;
    return {
      ...base,
      kind: "oauth.error",
      level: "error",
      message: `OAuth ${flow} callback failed unexpectedly (${name})`,
      data: { flow, code: "internal", error: name },
    };
  }
  const data: Record<string, unknown> = { flow, code: error.code };
  if ("reason" in error) data.reason = error.reason;
  if (error instanceof AuthorizationDeniedError) data.error = error.error;
  if (error instanceof IdentityProviderError) {
    data.status = error.status;
    data.retryable = error.retryable;
  }
  const level =
    error instanceof IdentityProviderError
      ? "error"
      : error instanceof AuthorizationDeniedError
        ? "info"
        : "warn";
  return { ...base, kind: "oauth.error", level, message: error.message, data };
}
