import type { Clock, RoleReconciler, RunSummary } from "@guildkit/role-reconciler";
import type { Registry } from "prom-client";
import { counterOn, histogramOn, intercept, seconds } from "./metrics-shared";

const ROUND_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300];

/**
 * The reconciler, its rounds counted on `registry`: `guildkit_role_sync_claims_total` (members
 * claimed), `guildkit_role_sync_changes_total{change}` (roles added / removed on Discord),
 * `guildkit_role_sync_errors_total{kind}` (members whose sync failed: transient, retried with
 * backoff; permanent, blocked until fixed) and `guildkit_role_sync_round_duration_seconds{mode}`
 * (rounds that claimed at least one member; mode bulk or per_member). The members-by-state gauges
 * are `registerRoleSyncMetrics`'.
 */
export function meterRoleSyncRounds(
  reconciler: RoleReconciler,
  registry: Registry,
  clock: Clock,
): RoleReconciler {
  const claims = counterOn(
    registry,
    "guildkit_role_sync_claims_total",
    "Members claimed by role-sync rounds",
  );
  const changes = counterOn(
    registry,
    "guildkit_role_sync_changes_total",
    "Role changes applied on Discord by role sync, by change (added, removed)",
    ["change"],
  );
  const errors = counterOn(
    registry,
    "guildkit_role_sync_errors_total",
    "Members whose sync failed in a round, by kind (transient: retried with backoff; permanent: blocked until fixed)",
    ["kind"],
  );
  const duration = histogramOn(
    registry,
    "guildkit_role_sync_round_duration_seconds",
    "Duration of role-sync rounds that claimed at least one member, by mode (bulk, per_member)",
    ROUND_BUCKETS,
    ["mode"],
  );
  const record = (summary: RunSummary, ms: number) => {
    claims.inc(summary.claimed);
    changes.inc({ change: "added" }, summary.added);
    changes.inc({ change: "removed" }, summary.removed);
    errors.inc({ kind: "transient" }, summary.transientErrors);
    errors.inc({ kind: "permanent" }, summary.permanentErrors);
    if (summary.claimed > 0) duration.observe({ mode: summary.mode }, seconds(ms));
  };
  const timed =
    (run: RoleReconciler["runOnce"]): RoleReconciler["runOnce"] =>
    async (opts) => {
      const started = clock.now().getTime();
      const summary = await run(opts);
      record(summary, clock.now().getTime() - started);
      return summary;
    };
  return intercept(reconciler, { runOnce: timed(reconciler.runOnce) });
}
