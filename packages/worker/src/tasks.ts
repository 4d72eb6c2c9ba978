import type { WorkerTask } from "./context";
import { linkedRolesTask } from "./linked-roles";
import { memberTokenTask } from "./member-tokens";
import { oauthStatePurgeTask } from "./oauth";
import { retentionTask } from "./retention";
import { roleSyncTask } from "./role-sync";
import { webhookDeliveryTask } from "./webhooks";

/** The tasks the worker runs. Each feature adds its task here with one line. */
export const tasks: WorkerTask[] = [
  roleSyncTask,
  webhookDeliveryTask,
  oauthStatePurgeTask,
  retentionTask,
  memberTokenTask,
  linkedRolesTask,
];
