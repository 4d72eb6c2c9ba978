import type { SyncState } from "@guildkit/role-reconciler";
import type { Command } from "commander";
import { type CliIo, EXIT } from "./io";
import { withStore } from "./store";

/** What `guildkit status` reports. */
export interface StatusReport {
  roleSync: { dueNow: number; byState: Record<SyncState, number> };
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
          const outbox = await store.webhooks.countByState({ signal });
          const hooks = await store.webhooks.list({ signal });
          const report: StatusReport = {
            roleSync: { dueNow, byState },
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
