import type { StoreCases } from "../define";
import { adminSessionCases } from "./admin-sessions";
import { featureCases } from "./features";
import { foundationCases } from "./foundation";
import { guildkitTableCases } from "./guildkit-tables";
import { memberTokenCases } from "./member-tokens";
import { oauthCases } from "./oauth";
import { portCases } from "./ports";
import { retentionCases } from "./retention";
import { roleConnectionCases } from "./role-connections";
import { roleSyncCases } from "./role-sync";
import { secretCases } from "./secrets";
import { sessionCases } from "./sessions";
import { speedbumpCases } from "./speedbump";
import { taskStatusCases } from "./task-status";
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
  memberTokenCases,
  speedbumpCases,
  webhookCases,
  guildkitTableCases,
  secretCases,
  webhookIdCases,
  portCases,
  retentionCases,
  featureCases,
  taskStatusCases,
  adminSessionCases,
  roleConnectionCases,
  // next: roleSyncCases, oauthCases, webhookCases, speedbumpCases
];
