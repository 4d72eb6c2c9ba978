export { createSpeedbump } from "./create-speedbump";
export { type DecideState, decide, type Step } from "./decide";
export type {
  DeliverReason,
  DropReason,
  HoldReason,
  ResolvedIdentity,
  Speedbump,
  SpeedbumpDecision,
  SpeedbumpDeps,
  SpeedbumpStartResult,
  SpeedbumpStats,
} from "./types";
