import { foundation } from "./001-foundation";
import { members } from "./001-members";
import { roleSync } from "./002-role-sync";
import { oauth } from "./003-oauth";
import { webhooks } from "./004-webhooks";
import { speedbump } from "./005-speedbump";
import { roleSyncSettings } from "./006-role-sync-settings";
import { webhookOutboxCreated } from "./007-webhook-outbox-created";
import { secrets } from "./008-secrets";
import { sessions } from "./009-sessions";
import { retention } from "./010-retention";
import { webhookEvents } from "./011-webhook-events";
import { memberTokens } from "./012-member-tokens";
import { roleGrantLifecycle } from "./013-role-grant-lifecycle";
import { webhookDeliveryOptions } from "./014-webhook-delivery-options";
import { roleConnections } from "./015-role-connections";
import { taskStatus } from "./016-task-status";
import { adminSessions } from "./017-admin-sessions";
import type { GuildkitMigration } from "./types";

/**
 * Every migration, in order. A feature adds its file (`NNN-<what>.ts`, the next free number) and one
 * entry here (plus its import). Each names the `feature` it belongs to (`foundation`, `members`,
 * `role-sync`, `login`, `webhooks`, `speedbump`: `migrate({ features })` runs only the groups its
 * features need) and declares the tables it creates (`tables`: guildkit's own, never a webhook's
 * source; `hostTables`: the host's); creating an undeclared table fails the migration.
 */
export const migrations: readonly GuildkitMigration[] = [
  foundation,
  members,
  roleSync,
  oauth,
  webhooks,
  speedbump,
  roleSyncSettings,
  webhookOutboxCreated,
  secrets,
  sessions,
  retention,
  webhookEvents,
  memberTokens,
  roleGrantLifecycle,
  webhookDeliveryOptions,
  roleConnections,
  taskStatus,
  adminSessions,
];
