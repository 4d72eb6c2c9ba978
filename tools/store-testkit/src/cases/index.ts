import type { StoreCases } from "../define";
import { foundationCases } from "./foundation";

/**
 * Every feature's conformance cases, run by `runStoreConformance` on every store. A feature adds
 * `src/cases/<feature>.ts` (built with `defineStoreCases`) and one entry here (plus its import).
 */
export const storeCases: readonly StoreCases[] = [
  foundationCases,
  // next: roleSyncCases, oauthCases, webhookCases, speedbumpCases
];
