import type { Kysely } from "kysely";
import type { Dialect } from "./dialect";
import { FEATURE_MIGRATIONS, type StoreFeature, StoreNotMigratedError } from "./features";
import { migrations as registry } from "./migrations/index";
import { pendingMigrations } from "./migrations/run";
import type { GuildkitMigration } from "./migrations/types";

/** Tells whether a database has run the migrations of a store's features. */
export interface FeatureCheck {
  /** @throws {@link StoreNotMigratedError} naming the features and migrations missing. */
  assert(opts?: { signal?: AbortSignal }): Promise<void>;
}

/**
 * The check behind `store.assertMigrated()`: the store's features' pending migrations, each pinned
 * to the features that need it (a `members` migration to `role-sync` and `login`).
 */
export function createFeatureCheck<TDatabase>(
  db: Kysely<TDatabase>,
  dialect: Dialect,
  options: { features: readonly StoreFeature[]; migrations?: readonly GuildkitMigration[] },
): FeatureCheck {
  const list = options.migrations ?? registry;
  return {
    async assert(opts = {}) {
      const pending = await pendingMigrations(db, dialect, {
        migrations: list,
        features: options.features,
        signal: opts.signal,
      });
      if (pending.length === 0) return;
      const groups = new Set(
        list.filter((m) => pending.includes(m.name)).map((m) => m.feature ?? "foundation"),
      );
      const features = options.features.filter((f) => FEATURE_MIGRATIONS[f].some((g) => groups.has(g)));
      throw new StoreNotMigratedError({ features, migrations: pending });
    },
  };
}
