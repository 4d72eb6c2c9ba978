import { type Clock, type EventLog, isAbortError } from "@guildkit/core";
import {
  type DecideOptions,
  failedOutcome,
  firstStep,
  isUnauthorized,
  needsConsentOutcome,
  noGrantOutcome,
  pushedOutcome,
  ROLE_CONNECTION_BACKOFF,
  ROLE_CONNECTIONS_WRITE,
} from "./decide";
import type {
  RoleConnectionBody,
  RoleConnectionClient,
  RoleConnectionItem,
  RoleConnectionOutcome,
  RoleConnectionQueue,
} from "./ports";
import type { MemberGrant, MemberTokenSource } from "./token-source";

/** What the pusher works with. */
export interface RoleConnectionPusherDeps {
  queue: RoleConnectionQueue;
  tokens: MemberTokenSource;
  client: RoleConnectionClient;
  clock: Clock;
  /** Receives `role_connection.needs_consent` and `role_connection.permanent_error` entries. */
  eventLog?: EventLog;
}

/** Tuning of the pusher; every field has a default ({@link DEFAULT_PUSHER_OPTIONS}). */
export interface RoleConnectionPusherOptions extends DecideOptions {
  /** Lease owner (a worker id). */
  owner: string;
  leaseMs: number;
  /** Members claimed per round. */
  batchSize: number;
  /** Pushes in flight at once (the Discord client's budget spaces them). */
  concurrency: number;
  /** Shown on the member's Discord profile beside the linked role (≤ 50 characters); none by default. */
  platformName: string | null;
}

/** The defaults: lease 60 s, 100 per round, 16 in flight, 1 s between one user's pushes. */
export const DEFAULT_PUSHER_OPTIONS: Readonly<RoleConnectionPusherOptions> = Object.freeze({
  owner: "guildkit",
  leaseMs: 60_000,
  batchSize: 100,
  concurrency: 16,
  platformName: null,
  minPushIntervalMs: 1_000,
  permanentRecheckMs: 21_600_000,
  backoff: ROLE_CONNECTION_BACKOFF,
  random: Math.random,
});

/** Counts of one round (or a drain). */
export interface PushSummary {
  claimed: number;
  /** Pushes Discord accepted (values set). */
  pushed: number;
  /** Pushes Discord accepted that cleared the connection. */
  cleared: number;
  /** Claimed members with nothing to push, or paced for their per-user interval. */
  skipped: number;
  retrying: number;
  noGrant: number;
  needsConsent: number;
  permanentErrors: number;
  /** Completions lost to an expired lease. */
  leaseLost: number;
}

const emptySummary = (): PushSummary => ({
  claimed: 0,
  pushed: 0,
  cleared: 0,
  skipped: 0,
  retrying: 0,
  noGrant: 0,
  needsConsent: 0,
  permanentErrors: 0,
  leaseLost: 0,
});

/** Pushes changed role connection metadata per member from the queue. */
export interface RoleConnectionPusher {
  /** Claims one batch and pushes it; resolves its counts. */
  runOnce(io?: { signal?: AbortSignal }): Promise<PushSummary>;
  /** Rounds until nothing is due now; resolves the total counts. */
  drain(io?: { signal?: AbortSignal; onRound?: (summary: PushSummary) => void }): Promise<PushSummary>;
}

function body(item: RoleConnectionItem, platformName: string | null): RoleConnectionBody {
  if (item.desired === null) return { metadata: {} };
  return { ...(platformName ? { platform_name: platformName } : {}), metadata: { ...item.desired } };
}

/**
 * Creates the pusher: per claimed member, skips when Discord already has the desired values, paces
 * each user to one push per `minPushIntervalMs`, gets the member's token (none: `no_grant`; no
 * `role_connections.write`: `needs_consent`), pushes, and on a 401 refreshes the token once and
 * pushes again — a refused refresh or a second 401 is `needs_consent`. Other failures back off
 * (retryable) or are recorded as permanent errors.
 */
export function createRoleConnectionPusher(
  deps: RoleConnectionPusherDeps,
  options: Partial<RoleConnectionPusherOptions> = {},
): RoleConnectionPusher {
  const opts: RoleConnectionPusherOptions = { ...DEFAULT_PUSHER_OPTIONS, ...options };
  if (opts.platformName !== null && (opts.platformName.length === 0 || opts.platformName.length > 50)) {
    throw new RangeError("platformName must be 1–50 characters (Discord's limit)");
  }

  async function pushWith(item: RoleConnectionItem, grant: MemberGrant, signal?: AbortSignal) {
    await deps.client.putRoleConnection(
      { accessToken: grant.accessToken, body: body(item, opts.platformName) },
      { signal },
    );
  }

  /** Pushes one member; resolves the outcome to record (`null`: release, the round was aborted). */
  async function decide(
    item: RoleConnectionItem,
    signal?: AbortSignal,
  ): Promise<RoleConnectionOutcome | null> {
    const step = firstStep(item, deps.clock.now(), opts);
    if (step.kind === "done") return step.outcome;
    let grant = await deps.tokens.accessToken(item.memberId, { signal });
    if (grant === null) return noGrantOutcome("no OAuth grant is kept for the member");
    if (!grant.scopes.includes(ROLE_CONNECTIONS_WRITE)) {
      return needsConsentOutcome(`the member's grant lacks ${ROLE_CONNECTIONS_WRITE}; they must link again`);
    }
    try {
      try {
        await pushWith(item, grant, signal);
      } catch (error) {
        if (!isUnauthorized(error)) throw error;
        grant = await deps.tokens.refresh(item.memberId, { signal });
        if (grant === null) return needsConsentOutcome("Discord refused the token and its refresh");
        try {
          await pushWith(item, grant, signal);
        } catch (again) {
          if (isUnauthorized(again)) return needsConsentOutcome("Discord refused the refreshed token");
          throw again;
        }
      }
      return pushedOutcome(item, deps.clock.now());
    } catch (error) {
      if (isAbortError(error) || signal?.aborted) return null;
      return failedOutcome(item, error, deps.clock.now(), opts);
    }
  }

  async function log(item: RoleConnectionItem, outcome: RoleConnectionOutcome) {
    if (!deps.eventLog || item.state === outcome.state) return;
    if (outcome.state !== "needs_consent" && outcome.state !== "permanent_error") return;
    await deps.eventLog.append({
      kind: `role_connection.${outcome.state}`,
      level: outcome.state === "needs_consent" ? "warn" : "error",
      message: outcome.lastError ?? outcome.state,
      memberId: item.memberId,
      discordUserId: item.discordUserId,
    });
  }

  function count(summary: PushSummary, item: RoleConnectionItem, outcome: RoleConnectionOutcome) {
    if (outcome.pushed !== undefined) {
      if (outcome.pushed === null) summary.cleared += 1;
      else summary.pushed += 1;
      return;
    }
    if (outcome.state === "synced" || outcome.state === item.state) summary.skipped += 1;
    else if (outcome.state === "retrying") summary.retrying += 1;
    else if (outcome.state === "no_grant") summary.noGrant += 1;
    else if (outcome.state === "needs_consent") summary.needsConsent += 1;
    else summary.permanentErrors += 1;
  }

  async function handle(item: RoleConnectionItem, summary: PushSummary, signal?: AbortSignal) {
    let outcome: RoleConnectionOutcome | null;
    try {
      outcome = await decide(item, signal);
    } catch (error) {
      // The token source failed (its store or Discord's token endpoint): retry with backoff.
      outcome = signal?.aborted ? null : failedOutcome(item, error, deps.clock.now(), opts);
    }
    if (outcome === null) {
      await deps.queue.release(item);
      return;
    }
    if (!(await deps.queue.complete(item, outcome))) {
      summary.leaseLost += 1;
      return;
    }
    count(summary, item, outcome);
    await log(item, outcome);
  }

  async function runOnce(io: { signal?: AbortSignal } = {}): Promise<PushSummary> {
    const summary = emptySummary();
    io.signal?.throwIfAborted();
    const items = await deps.queue.claimDue(
      { owner: opts.owner, leaseMs: opts.leaseMs, limit: opts.batchSize, now: deps.clock.now() },
      io,
    );
    summary.claimed = items.length;
    let next = 0;
    const worker = async () => {
      while (next < items.length) {
        const item = items[next++]!;
        await handle(item, summary, io.signal);
      }
    };
    await Promise.all(Array.from({ length: Math.min(opts.concurrency, items.length) }, worker));
    return summary;
  }

  return {
    runOnce,
    async drain(io = {}) {
      const total = emptySummary();
      for (;;) {
        const round = await runOnce(io);
        for (const key of Object.keys(total) as (keyof PushSummary)[]) total[key] += round[key];
        io.onRound?.(round);
        if (round.claimed === 0 || io.signal?.aborted) return total;
      }
    },
  };
}
