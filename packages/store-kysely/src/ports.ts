import type { SecretBox } from "@guildkit/core";
import type { Kysely } from "kysely";
import { createConfigStore } from "./config-store";
import { type Clock, type Dialect, systemClock } from "./dialect";
import { createEventLog } from "./event-log";
import { createMemberRepository } from "./members";
import { createOAuthStore } from "./oauth";
import { createRetention } from "./retention";
import { createRoleSyncStore } from "./role-sync";
import type { Database } from "./schema";
import { createSecretStore } from "./secrets";
import { createSpeedbumpStore } from "./speedbump";
import { createWebhookStore } from "./webhooks";

/** What every port factory may need besides the database and dialect. */
export interface StorePortOptions {
  /** Stamps rows (`event_log.at`, `config_versions.created_at`, …); the wall clock by default. */
  clock?: Clock;
  /** Seals secret settings (config loaders on `configStore` use it) and rotates keys; none by default. */
  secretBox?: SecretBox | null;
}

/**
 * Builds every store port on one kysely instance (or transaction). This is **the** composition
 * point both `createSqliteStore` and `createPostgresStore` use, so a feature adds its port here with
 * one line — `roleSync: createRoleSyncStore(db, dialect, clock),` — and both stores get it. Each
 * factory has the signature `(db: Kysely<Database>, dialect: Dialect, clock: Clock)`.
 */
export function createStorePorts(db: Kysely<Database>, dialect: Dialect, options: StorePortOptions = {}) {
  const clock = options.clock ?? systemClock;
  const secretBox = options.secretBox ?? null;
  return {
    /** `ConfigStore` of `@guildkit/config`; its loaders seal secret fields with `secretBox`. */
    configStore: createConfigStore(db, dialect, clock, secretBox),
    /** The box and key rotation (`secrets.rotate()`). */
    secrets: createSecretStore(db, dialect, secretBox),
    /** The shared `EventLog` port, plus `list`. */
    eventLog: createEventLog(db, dialect, clock),
    /** The reference member repository. */
    members: createMemberRepository(db, dialect, clock),
    // Feature ports, one line each:
    roleSync: createRoleSyncStore(db, dialect, clock),
    oauth: createOAuthStore(db, dialect, clock),
    speedbump: createSpeedbumpStore(db, dialect, clock),
    webhooks: createWebhookStore(db, dialect, clock),
    /** Purges delivered outbox events and old event-log entries by age, in batches. */
    retention: createRetention(db, dialect, clock),
  };
}

/** Every store port, as {@link createStorePorts} builds them. */
export type StorePorts = ReturnType<typeof createStorePorts>;
