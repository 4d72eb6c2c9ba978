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
/** What the progress line shows: members checked of the plan's, role changes applied of the plan's. */
export interface ProgressFigures {
  /** Distinct members whose outcome was recorded (a member re-claimed after a release counts once). */
  checked: number;
  /** Members the pass covers (never grows past the plan). */
  members: number;
  /** Role changes applied (adds and removals). */
  changes: number;
  /** Role changes the plan found. */
  plannedChanges: number;
  elapsedMs: number;
  width?: number;
}

/**
 * The progress line: a bar over members checked, then both figures, and an ETA — the later of the
 * members still to check at the measured check rate and the role changes still to apply at the
 * measured change rate (changes are bound by Discord's role bucket, checks are not).
 */
export function progressLine(p: ProgressFigures): string {
  const width = p.width ?? 30;
  const members = Math.max(p.members, 1);
  const checked = Math.min(p.checked, p.members);
  const changes = Math.min(p.changes, p.plannedChanges);
  const ratio = Math.min(1, checked / members);
  const filled = Math.round(ratio * width);
  const etaOf = (done: number, total: number) => {
    if (done >= total) return 0;
    const rate = p.elapsedMs > 0 ? done / p.elapsedMs : 0;
    return rate > 0 ? (total - done) / rate : Number.NaN;
  };
  const eta = Math.max(etaOf(checked, p.members), etaOf(changes, p.plannedChanges));
  return (
    `[${"#".repeat(filled)}${"-".repeat(width - filled)}] ${String(Math.round(ratio * 100)).padStart(3)}% ` +
    `members ${checked}/${p.members}  role changes ${changes}/${p.plannedChanges}  ETA ${duration(eta)}`
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
      ...(s.released > 0
        ? [`  not reached ${s.released} (the worker reconciles them, or run this again)`]
        : []),
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
  // Plan first: the totals of the progress are the plan's (members, role changes), never re-counted.
  const plan = await sync.reconciler.plan({ settings, gateway });
  const plannedChanges = plan.gains.length + plan.losses.length;
  opts.out.write(`plan: ${plan.checked} member(s) to check, ${plannedChanges} role change(s) to apply\n`);
  const started = now();
  const progress = createProgress(opts.out, started, now, { members: plan.checked, plannedChanges });
  const { summary } = await fullPass(
    { reconciler: sync.reconciler, queue, clock: { now: () => new Date(now()) } },
    { settings, gateway, stop: opts.stop, onStart: progress.start, onMember: progress.member },
  );
  if (opts.out.isTTY) opts.out.write("\n");
  opts.out.write(formatSummary(summary, now() - started));
  return fullPassNeedsAttention(summary) ? 1 : 0;
}

/** The progress output: a live bar on a terminal (every 100 ms), a plain line every 5 s otherwise. */
function createProgress(
  out: CommandOutput,
  started: number,
  now: () => number,
  plan: { members: number; plannedChanges: number },
) {
  let members = plan.members;
  const checked = new Set<string>();
  let changes = 0;
  let lastLine = 0;
  const line = () =>
    progressLine({
      checked: checked.size,
      members,
      changes,
      plannedChanges: plan.plannedChanges,
      elapsedMs: now() - started,
    });
  return {
    start(marked: number) {
      // Members linked since the plan are covered too; the total is fixed from here on.
      members = Math.max(members, marked);
      out.write(`${members} member(s) to reconcile\n`);
    },
    member(result: MemberResult) {
      if (result.state !== "released") checked.add(result.memberId);
      changes += result.added + result.removed;
      const t = now();
      if (out.isTTY) {
        if (t - lastLine >= 100 || checked.size === members) {
          out.write(`\r${line()}`);
          lastLine = t;
        }
      } else if (t - lastLine >= 5000) {
        out.write(`${line()}\n`);
        lastLine = t;
      }
    },
  };
}
