import { GuildkitError } from "@guildkit/core";

/**
 * The features a store can serve. Each brings its migrations and its ports:
 * - `role-sync` — `store.roleSync` (and `store.members`), on the members table;
 * - `login` — `store.oauth` (state nonces, member accounts, sessions) (and `store.members`);
 * - `webhooks` — `store.webhooks` (definitions, the outbox, dead letters);
 * - `speedbump` — `store.speedbump` (PluralKit speedbump state and member cache).
 *
 * Every store also has the foundation: `configStore`, `secrets`, `eventLog`, `retention`.
 */
export const STORE_FEATURES = ["role-sync", "login", "webhooks", "speedbump"] as const;

/** One of {@link STORE_FEATURES}. */
export type StoreFeature = (typeof STORE_FEATURES)[number];

/**
 * What a migration belongs to: `foundation` (every store: event log, settings), `members` (the
 * member table, for `role-sync` and `login`), or one feature.
 */
export type MigrationFeature = "foundation" | "members" | StoreFeature;

/** The migration groups each feature needs, in the order they build on each other. */
export const FEATURE_MIGRATIONS: Readonly<Record<StoreFeature, readonly MigrationFeature[]>> = {
  "role-sync": ["foundation", "members", "role-sync"],
  login: ["foundation", "members", "login"],
  webhooks: ["foundation", "webhooks"],
  speedbump: ["foundation", "speedbump"],
};

/** A name passed in `features` that is not one of {@link STORE_FEATURES}. */
export class UnknownStoreFeatureError extends GuildkitError {
  override readonly name = "UnknownStoreFeatureError";
  readonly feature: string;

  constructor(feature: string) {
    super(`unknown store feature ${JSON.stringify(feature)}: use one of ${STORE_FEATURES.join(", ")}`, {
      retryable: false,
      code: "unknown_store_feature",
    });
    this.feature = feature;
  }
}

/** The features asked for, checked and deduplicated in {@link STORE_FEATURES} order; all by default. */
export function resolveFeatures<TFeature extends StoreFeature>(
  features: readonly TFeature[] | undefined,
): TFeature[] {
  if (features === undefined) return [...STORE_FEATURES] as TFeature[];
  for (const feature of features) {
    if (!(STORE_FEATURES as readonly string[]).includes(feature)) throw new UnknownStoreFeatureError(feature);
  }
  return STORE_FEATURES.filter((f) => (features as readonly string[]).includes(f)) as TFeature[];
}

/** The migration groups `features` need. */
export function migrationGroups(features: readonly StoreFeature[]): Set<MigrationFeature> {
  return new Set(features.flatMap((feature) => FEATURE_MIGRATIONS[feature]));
}

/**
 * The database lacks migrations the store's features need (it was migrated for fewer features, or
 * not at all). Run `store.migrate()` (it migrates the store's features), then retry.
 */
export class StoreNotMigratedError extends GuildkitError {
  override readonly name = "StoreNotMigratedError";
  /** The features whose migrations are missing. */
  readonly features: readonly StoreFeature[];
  /** The migrations to run, in order. */
  readonly migrations: readonly string[];

  constructor(fields: { features: readonly StoreFeature[]; migrations: readonly string[] }) {
    const list = fields.features.map((f) => JSON.stringify(f)).join(", ");
    super(
      `the database lacks migration(s) ${fields.migrations.join(", ")} needed by store feature(s) ${list}: ` +
        `run store.migrate({ features: [${list}] }) (or \`guildkit migrate\`) and retry`,
      { retryable: false, code: "store_not_migrated" },
    );
    this.features = fields.features;
    this.migrations = fields.migrations;
  }
}
