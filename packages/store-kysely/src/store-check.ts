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

/** The ports of a feature (what `guardFeaturePorts` wraps): every key but the foundation's. */
const FEATURE_PORT_KEYS = [
  "members",
  "roleSync",
  "roleConnections",
  "oauth",
  "webhooks",
  "speedbump",
] as const;

/**
 * Wraps every method of the feature ports in `ports` (nested objects too) so that the first call
 * on a database missing the features' migrations rejects with `StoreNotMigratedError` instead of a
 * driver's "no such table". `state.verified` is shared by every set of ports of one store: once the
 * check passed (or `migrate()` covered the features) calls go straight through.
 */
export function guardFeaturePorts<TPorts extends object>(
  ports: TPorts,
  check: FeatureCheck,
  state: { verified: boolean },
): TPorts {
  const verify = async () => {
    if (state.verified) return;
    await check.assert();
    state.verified = true;
  };
  const wrap = (target: Record<string, unknown>): Record<string, unknown> => {
    const out: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(target)) {
      if (typeof value === "function") {
        const method = value as (...args: unknown[]) => unknown;
        out[key] = (...args: unknown[]) =>
          state.verified ? method.apply(target, args) : verify().then(() => method.apply(target, args));
      } else if (
        value !== null &&
        typeof value === "object" &&
        Object.getPrototypeOf(value) === Object.prototype
      ) {
        out[key] = wrap(value as Record<string, unknown>);
      } else {
        out[key] = value;
      }
    }
    return out;
  };
  const guarded: Record<string, unknown> = { ...(ports as Record<string, unknown>) };
  for (const key of FEATURE_PORT_KEYS) {
    const port = guarded[key];
    if (port !== undefined && port !== null && typeof port === "object")
      guarded[key] = wrap(port as Record<string, unknown>);
  }
  return guarded as TPorts;
}
