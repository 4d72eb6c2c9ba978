import type { SyncState } from "@guildkit/role-reconciler";
import type { Command } from "commander";
import { roundCounts } from "../task-status";
import { type CliIo, EXIT } from "./io";
import { withStore } from "./store";

/** What `guildkit status` reports. */
export interface StatusReport {
  roleSync: {
    dueNow: number;
    byState: Record<SyncState, number>;
    /** The latest round a worker recorded (`store.taskStatus`), or `null` when none did. */
    lastRound: { at: string; worker: string; summary: Record<string, unknown> } | null;
  };
  outbox: { pending: number; delivered: number; dead: number };
  webhooks: { enabled: number; disabled: { id: string; reason: string | null }[] };
}

/** `guildkit status`: role sync and the webhook outbox at a glance (read-only). */
export function registerStatus(program: Command, io: CliIo, done: (code: number) => void): void {
  program
    .command("status")
    .description("role sync and webhook delivery at a glance")
    .option("--json", "print the report as JSON")
    .action(async (opts: { json?: boolean }) => {
      done(
        await withStore(io, { migrate: true }, async (store) => {
          const signal = io.signal;
          const byState = {
            ok: 0,
            retrying: 0,
            permanent_error: 0,
            not_in_guild: 0,
            unlinked: 0,
            grace: 0,
            ...(await store.roleSync.countByState({ signal })),
          };
          const dueNow = await store.roleSync.queue.countDue({ now: new Date() }, { signal });
          const round = await store.taskStatus.read("role-sync", { signal });
          const lastRound = round
            ? { at: round.at.toISOString(), worker: round.worker, summary: round.summary }
            : null;
          const outbox = await store.webhooks.countByState({ signal });
          const hooks = await store.webhooks.list({ signal });
          const report: StatusReport = {
            roleSync: { dueNow, byState, lastRound },
            outbox,
            webhooks: {
              enabled: hooks.filter((h) => h.enabled).length,
              disabled: hooks.filter((h) => !h.enabled).map((h) => ({ id: h.id, reason: h.disabledReason })),
            },
          };
          io.out.write(opts.json ? `${JSON.stringify(report, null, 2)}\n` : formatStatus(report));
          return EXIT.ok;
        }),
      );
    });
}

/** The report as text. */
export function formatStatus(r: StatusReport): string {
  const s = r.roleSync.byState;
  const lines = [
    "Role sync:",
    `  due now ${r.roleSync.dueNow}`,
    `  synced ${s.ok}, retrying ${s.retrying}, permanent errors ${s.permanent_error}, not in the guild ${s.not_in_guild}, unlinked ${s.unlinked}, in a grace period ${s.grace}`,
    `  ${lastRoundLine(r.roleSync.lastRound)}`,
    "Webhook delivery:",
    `  pending ${r.outbox.pending}, delivered ${r.outbox.delivered}, dead ${r.outbox.dead}`,
    `  webhooks enabled ${r.webhooks.enabled}, disabled ${r.webhooks.disabled.length}`,
    ...r.webhooks.disabled.map((d) => `    - webhook ${d.id} disabled: ${d.reason ?? "by an admin"}`),
  ];
  if (s.permanent_error > 0)
    lines.push("Permanent errors need a fix in Discord or the settings: run `guildkit doctor`.");
  if (r.outbox.dead > 0)
    lines.push("Dead events: `guildkit webhooks redeliver --all` once the cause is fixed.");
  return `${lines.join("\n")}\n`;
}

/** "last round …: 50 checked, 3 added, 1 removed, 0 failed (worker w1)", or that no worker recorded one. */
function lastRoundLine(round: StatusReport["roleSync"]["lastRound"]): string {
  if (!round) return "last round: none recorded (is a worker running?)";
  const c = roundCounts(round.summary);
  return `last round ${round.at}: ${c.checked} checked, ${c.added} added, ${c.removed} removed, ${c.failed} failed (worker ${round.worker})`;
}
