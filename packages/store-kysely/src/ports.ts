import type { SecretBox } from "@guildkit/core";
import type { SessionStore } from "@guildkit/oauth-state";
import type { OutboxWakeups } from "@guildkit/webhook-templates";
import type { Kysely } from "kysely";
import { createConfigStore } from "./config-store";
import { type Clock, type Dialect, systemClock } from "./dialect";
import { createEventLog } from "./event-log";
import { resolveFeatures, type StoreFeature } from "./features";
import { createMemberRepository, type MemberRepository } from "./members";
import { DEFAULT_MEMBERS_TABLE, type MembersTable } from "./members-table/shape";
import { createOAuthSessionStore, createOAuthStore, type OAuthStore } from "./oauth";
import { createRetention } from "./retention";
import { createRoleConnectionQueue } from "./role-connections";
import type { RoleConnectionQueue } from "./role-connections/ports";
import { createRoleSyncStore, type RoleSyncStore } from "./role-sync";
import type { Database } from "./schema";
import { createSecretStore } from "./secrets";
import { createSpeedbumpStore, type KyselySpeedbumpStore } from "./speedbump";
import { createTaskStatusStore, type TaskStatusStore } from "./task-status";
import { createWebhookStore, type WebhookStore } from "./webhooks";

/** What every port factory may need besides the database and dialect. */
export interface StorePortOptions<TFeature extends StoreFeature = StoreFeature> {
  /** Stamps rows (`event_log.at`, `config_versions.created_at`, …); the wall clock by default. */
  clock?: Clock;
  /** Seals secret settings (config loaders on `configStore` use it) and rotates keys; none by default. */
  secretBox?: SecretBox | null;
  /**
   * What wakes `webhooks.waitForEvents` — `LISTEN/NOTIFY` (store-postgres), polling (store-sqlite);
   * polling on the system scheduler by default. Every set of ports built on the store shares it.
   */
  webhookWakeups?: OutboxWakeups;
  /** The features whose ports to build; every feature by default. */
  features?: readonly TFeature[];
  /** Where the members are (`resolveMembersTable`); the seed system's `members` by default. */
  members?: MembersTable;
}

/** The ports every store has, whatever its features. */
export interface FoundationPorts {
  /** `ConfigStore` of `@guildkit/config`; its loaders seal secret fields with `secretBox`. */
  configStore: ReturnType<typeof createConfigStore>;
  /** The box and key rotation (`secrets.rotate()`). */
  secrets: ReturnType<typeof createSecretStore>;
  /** The shared `EventLog` port, plus `list`. */
  eventLog: ReturnType<typeof createEventLog>;
  /** Purges delivered outbox events (with `webhooks`) and old event-log entries by age, in batches. */
  retention: ReturnType<typeof createRetention>;
  /** The latest round of each worker task (`role-sync`, …), for the console and `guildkit status`. */
  taskStatus: TaskStatusStore;
  /** The admin console's sessions (`SessionStore` of `@guildkit/oauth-state` on `admin_sessions`). */
  adminSessions: SessionStore;
}

/** The ports each feature adds. */
export interface FeaturePorts {
  "role-sync": {
    /** The role-sync ports of `@guildkit/role-reconciler`. */
    roleSync: RoleSyncStore;
    /** The reference member repository (on the members table). */
    members: MemberRepository;
    /** The Linked Roles push queue of `@guildkit/role-reconciler` (`role_connection_state`). */
    roleConnections: RoleConnectionQueue;
  };
  login: {
    /** The OAuth ports of `@guildkit/oauth-state`: nonces, member accounts, sessions, member tokens. */
    oauth: OAuthStore;
    /** The reference member repository (on the members table). */
    members: MemberRepository;
  };
  webhooks: {
    /** Webhook definitions, the outbox of `@guildkit/webhook-templates`, dead letters. */
    webhooks: WebhookStore;
  };
  speedbump: {
    /** The speedbump ports of `@guildkit/pk-speedbump`. */
    speedbump: KyselySpeedbumpStore;
  };
}

type UnionToIntersection<TUnion> = (TUnion extends unknown ? (arg: TUnion) => void : never) extends (
  arg: infer TIntersection,
) => void
  ? TIntersection
  : never;

/**
 * The ports of a store serving `TFeature` (every feature by default): the foundation plus each
 * feature's. `StorePorts<"role-sync">` has `roleSync` and `members`, and no `webhooks`.
 */
export type StorePorts<TFeature extends StoreFeature = StoreFeature> = FoundationPorts &
  UnionToIntersection<FeaturePorts[TFeature]>;

/**
 * Builds the store ports of the features asked for on one kysely instance (or transaction). This is
 * **the** composition point both `createSqliteStore` and `createPostgresStore` use, so a feature adds
 * its ports here (and its entry in `FeaturePorts`) and both stores get them.
 */
export function createStorePorts<TFeature extends StoreFeature = StoreFeature>(
  db: Kysely<Database>,
  dialect: Dialect,
  options: StorePortOptions<TFeature> = {},
): StorePorts<TFeature> {
  const clock = options.clock ?? systemClock;
  const secretBox = options.secretBox ?? null;
  const shape = options.members ?? DEFAULT_MEMBERS_TABLE;
  const features = new Set<StoreFeature>(resolveFeatures(options.features));
  const ports: Record<string, unknown> = {
    configStore: createConfigStore(db, dialect, clock, secretBox),
    secrets: createSecretStore(db, dialect, secretBox),
    eventLog: createEventLog(db, dialect, clock),
    retention: createRetention(db, dialect, clock, { webhooks: features.has("webhooks") }),
    taskStatus: createTaskStatusStore(db, dialect, clock),
    adminSessions: createOAuthSessionStore(db, dialect, "admin_sessions"),
  } satisfies FoundationPorts;
  if (features.has("role-sync") || features.has("login"))
    ports.members = createMemberRepository(db, dialect, clock, shape);
  if (features.has("role-sync")) {
    ports.roleSync = createRoleSyncStore(db, dialect, clock, shape);
    ports.roleConnections = createRoleConnectionQueue(db, dialect, clock);
  }
  if (features.has("login")) ports.oauth = createOAuthStore(db, dialect, clock, shape, secretBox);
  if (features.has("webhooks"))
    ports.webhooks = createWebhookStore(db, dialect, clock, { wakeups: options.webhookWakeups });
  if (features.has("speedbump")) ports.speedbump = createSpeedbumpStore(db, dialect, clock);
  return ports as StorePorts<TFeature>;
}
