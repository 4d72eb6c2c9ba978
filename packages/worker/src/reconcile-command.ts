import { systemClock } from "@guildkit/core/system";
import {
  fullPass,
  fullPassNeedsAttention,
  type MemberResult,
  type ReconcilePlan,
  type RunSummary,
  type SyncQueue,
} from "@guildkit/role-reconciler";
import type { RoleSync } from "./role-sync";

/** Where the command writes. */
export interface CommandOutput {
  write(text: string): void;
  /** True on a terminal: a live progress bar; otherwise plain progress lines. */
  isTTY?: boolean;
}

function duration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return "?";
  const s = Math.round(ms / 1000);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  return h > 0
    ? `${h}:${String(m).padStart(2, "0")}:${String(sec).padStart(2, "0")}`
    : `${m}:${String(sec).padStart(2, "0")}`;
}

/** One progress line: bar, count, rate and ETA. */
export function progressLine(p: { done: number; total: number; elapsedMs: number; width?: number }): string {
  const width = p.width ?? 30;
  const total = Math.max(p.total, p.done, 1);
  const ratio = Math.min(1, p.done / total);
  const filled = Math.round(ratio * width);
  const rate = p.elapsedMs > 0 ? (p.done / p.elapsedMs) * 1000 : 0;
  const eta = rate > 0 ? ((total - p.done) / rate) * 1000 : Number.NaN;
  return (
    `[${"#".repeat(filled)}${"-".repeat(width - filled)}] ${String(Math.round(ratio * 100)).padStart(3)}% ` +
    `${p.done}/${total}  ${rate.toFixed(1)}/s  ETA ${duration(eta)}`
  );
}

/** The dry-run plan as text: who gains and loses which role, who is not in the guild. */
export function formatPlan(plan: ReconcilePlan): string {
  const lines = [
    `Dry run (${plan.mode === "bulk" ? "member list read in bulk" : "members read one by one"}):`,
  ];
  lines.push(`  ${plan.checked} member(s) checked, ${plan.discordCalls} Discord read(s)`);
  lines.push(`  would add ${plan.gains.length} role(s):`);
  for (const g of plan.gains)
    lines.push(
      `    + role ${g.roleId} to ${g.discordUserId} (member ${g.memberIds.join(", ")}): ${g.reason}`,
    );
  lines.push(`  would remove ${plan.losses.length} role(s):`);
  for (const l of plan.losses) {
    lines.push(
      `    - role ${l.roleId} from ${l.discordUserId} (member ${l.memberIds.join(", ")}): ${l.reason}`,
    );
  }
  lines.push(`  not in the guild: ${plan.notInGuild.length}`);
  for (const n of plan.notInGuild) lines.push(`    ? member ${n.memberId} (${n.discordUserId})`);
  if (plan.errors.length > 0) {
    lines.push(`  problems: ${plan.errors.length}`);
    for (const e of plan.errors) lines.push(`    ! member ${e.memberId}: ${e.reason}`);
  }
  return `${lines.join("\n")}\n`;
}

/** The summary after applying. */
export function formatSummary(s: RunSummary, elapsedMs: number): string {
  return (
    [
      `Reconciled ${s.processed} member(s) in ${duration(elapsedMs)} (${s.mode === "none" ? "nothing due" : s.mode}):`,
      `  roles added ${s.added}, removed ${s.removed}`,
      `  not in the guild ${s.notInGuild}, retrying later ${s.transientErrors}, permanent errors ${s.permanentErrors}`,
      `  Discord calls ${s.discordCalls} (${s.listedPages} member-list page(s))`,
      ...(s.released > 0 ? [`  released unprocessed ${s.released}`] : []),
      ...(s.blockedUntil ? [`  blocked until ${s.blockedUntil.toISOString()} (see the event log)`] : []),
    ].join("\n") + "\n"
  );
}

/**
 * `guildkit reconcile --all [--dry-run]`: the dry run prints the plan; otherwise `fullPass` (of
 * `@guildkit/role-reconciler`) makes every linked member due and reconciles it now, shown with a
 * progress bar (rate, ETA) over the pass's total and a summary. Resolves the exit code: 2 when role
 * sync is not configured, 1 when the pass needs attention (`fullPassNeedsAttention`), else 0.
 * `now` (default: the system clock) times the progress.
 */
export async function runReconcileCommand(
  sync: Pick<RoleSync, "reconciler" | "loadSettings">,
  queue: Pick<SyncQueue, "scheduleFullPass" | "countDue">,
  opts: { dryRun: boolean; out: CommandOutput; err: CommandOutput; now?: () => number; stop?: AbortSignal },
): Promise<number> {
  const now = opts.now ?? (() => systemClock.now().getTime());
  const loaded = await sync.loadSettings();
  if (loaded.status === "incomplete") {
    opts.err.write(`role sync is not configured; missing: ${loaded.missing.join(", ")}\n`);
    return 2;
  }
  const { settings, gateway } = loaded;
  if (opts.dryRun) {
    const plan = await sync.reconciler.plan({ settings, gateway });
    opts.out.write(formatPlan(plan));
    return 0;
  }
  const started = now();
  const progress = createProgress(opts.out, started, now);
  const { summary } = await fullPass(
    { reconciler: sync.reconciler, queue, clock: { now: () => new Date(now()) } },
    { settings, gateway, stop: opts.stop, onStart: progress.start, onMember: progress.member },
  );
  if (opts.out.isTTY) opts.out.write("\n");
  opts.out.write(formatSummary(summary, now() - started));
  return fullPassNeedsAttention(summary) ? 1 : 0;
}

/** The progress output: a live bar on a terminal (every 100 ms), a plain line every 5 s otherwise. */
function createProgress(out: CommandOutput, started: number, now: () => number) {
  let total = 0;
  let done = 0;
  let lastLine = 0;
  return {
    start(marked: number) {
      total = marked;
      out.write(`${marked} member(s) to reconcile\n`);
    },
    member(_: MemberResult) {
      done += 1;
      const t = now();
      if (out.isTTY) {
        if (t - lastLine >= 100 || done === total) {
          out.write(`\r${progressLine({ done, total, elapsedMs: t - started })}`);
          lastLine = t;
        }
      } else if (t - lastLine >= 5000) {
        out.write(`${progressLine({ done, total, elapsedMs: t - started })}\n`);
        lastLine = t;
      }
    },
  };
}
