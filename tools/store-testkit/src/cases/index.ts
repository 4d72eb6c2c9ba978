import type { StoreCases } from "../define";
import { foundationCases } from "./foundation";
import { roleSyncCases } from "./role-sync";
import { oauthCases } from "./oauth";
import { speedbumpCases } from "./speedbump";

/**
 * Every feature's conformance cases, run by `runStoreConformance` on every store. A feature adds
 * `src/cases/<feature>.ts` (built with `defineStoreCases`) and one entry here (plus its import).
 */
export const storeCases: readonly StoreCases[] = [
  foundationCases,
  roleSyncCases,
  oauthCases,
  speedbumpCases,
  // next: roleSyncCases, oauthCases, webhookCases, speedbumpCases
];
