import type { StoreCases } from "../define";
import { featureCases } from "./features";
import { foundationCases } from "./foundation";
import { guildkitTableCases } from "./guildkit-tables";
import { oauthCases } from "./oauth";
import { portCases } from "./ports";
import { retentionCases } from "./retention";
import { roleConnectionCases } from "./role-connections";
import { roleSyncCases } from "./role-sync";
import { secretCases } from "./secrets";
import { sessionCases } from "./sessions";
import { speedbumpCases } from "./speedbump";
import { webhookIdCases } from "./webhook-ids";
import { webhookCases } from "./webhooks";

/**
 * Every feature's conformance cases, run by `runStoreConformance` on every store. A feature adds
 * `src/cases/<feature>.ts` (built with `defineStoreCases`) and one entry here (plus its import).
 */
export const storeCases: readonly StoreCases[] = [
  foundationCases,
  roleSyncCases,
  oauthCases,
  sessionCases,
  speedbumpCases,
  webhookCases,
  guildkitTableCases,
  secretCases,
  webhookIdCases,
  portCases,
  retentionCases,
  featureCases,
  roleConnectionCases,
  // next: roleSyncCases, oauthCases, webhookCases, speedbumpCases
];
