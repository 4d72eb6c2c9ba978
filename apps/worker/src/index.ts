/** The reference worker as a library: its tasks and context (tests, benchmarks). */
export type { WorkerContext, WorkerTask } from "./context";
export { createRoleSync, type RoleSync, type RoleSyncOptions, roleSyncTask } from "./role-sync";
export { tasks } from "./tasks";
export {
  createWebhookWorker,
  type WebhookWorker,
  type WebhookWorkerDeps,
  webhookDeliveryTask,
} from "./webhooks";
