import type { ModeDecision } from "../cost";
import type { SyncState } from "../ports";

/** What happened to one member. */
export interface MemberResult {
  memberId: string;
  /** The recorded state, or `released` (not processed: stopping, lease too short, guild blocked). */
  state: SyncState | "released";
  added: number;
  removed: number;
  /** Reason of the failure, if any. */
  error: string | null;
}

/** Counters of one run. */
export interface RunSummary {
  mode: "bulk" | "per_member" | "none";
  decision: ModeDecision | null;
  /** Members due when the run started. */
  due: number;
  claimed: number;
  /** Members whose outcome was recorded. */
  processed: number;
  /** Members released without an outcome. */
  released: number;
  /** Outcomes not recorded because the lease had been lost. */
  leaseLost: number;
  added: number;
  removed: number;
  /** Members kicked on lapse (`onLapse: "kick"`). */
  kicked: number;
  /** Members recorded in a grace period (keeping roles they are no longer entitled to). */
  inGrace: number;
  notInGuild: number;
  transientErrors: number;
  permanentErrors: number;
  /** Every Discord call made (reads, role changes, avatar downloads), failed ones included. */
  discordCalls: number;
  /** List Guild Members pages read. */
  listedPages: number;
  /** Set when the whole guild is blocked by a permanent failure: nothing is tried before then. */
  blockedUntil: Date | null;
}

/** A summary with every counter at zero. */
export function emptySummary(): RunSummary {
  return {
    mode: "none",
    decision: null,
    due: 0,
    claimed: 0,
    processed: 0,
    released: 0,
    leaseLost: 0,
    added: 0,
    removed: 0,
    kicked: 0,
    inGrace: 0,
    notInGuild: 0,
    transientErrors: 0,
    permanentErrors: 0,
    discordCalls: 0,
    listedPages: 0,
    blockedUntil: null,
  };
}

const COUNTERS = [
  "claimed",
  "processed",
  "released",
  "leaseLost",
  "added",
  "removed",
  "kicked",
  "inGrace",
  "notInGuild",
  "transientErrors",
  "permanentErrors",
  "discordCalls",
  "listedPages",
] as const;

/** Adds the counters of `from` to `into` (a drain's total of its rounds). */
export function addSummary(into: RunSummary, from: RunSummary): void {
  for (const key of COUNTERS) into[key] += from[key];
}
