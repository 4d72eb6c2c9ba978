import { roundCounts } from "@guildkit/worker";
import { html, type SafeHtml } from "./html";

/** An event-log entry as the status page reads it. */
export interface StatusEvent {
  at: Date;
  kind: string;
  message: string;
  memberId: string | null;
  data: Record<string, unknown>;
}

/** What a block stops, for the page ("role 123", "the guild", "listing members in bulk"). */
function blockScope(event: StatusEvent): string {
  const scope = event.data.scope;
  if (scope === "role") return `role ${String(event.data.roleId ?? "?")}`;
  if (scope === "bulk" || event.kind === "role.bulk_unavailable")
    return "listing the guild's members in bulk";
  return "the guild";
}

const scopeKey = (e: StatusEvent) =>
  `${e.kind === "role.bulk_unavailable" ? "bulk" : String(e.data.scope)}:${String(e.data.roleId ?? "")}`;

/**
 * The blocks a worker recorded (a role above the bot, the guild unavailable, the member list
 * refused) and not yet cleared by a later `role.recovered`, newest first; each reason says the fix.
 */
export function activeBlocks(
  blocks: readonly StatusEvent[],
  recoveries: readonly StatusEvent[],
): StatusEvent[] {
  const seen = new Set<string>();
  const out: StatusEvent[] = [];
  for (const block of [...blocks].sort((a, b) => b.at.getTime() - a.at.getTime())) {
    if (block.data.scope === "member" || block.memberId !== null) continue;
    const key = scopeKey(block);
    if (seen.has(key)) continue;
    seen.add(key);
    const cleared = recoveries.some((r) => scopeKey(r) === key && r.at.getTime() >= block.at.getTime());
    if (!cleared) out.push(block);
  }
  return out;
}

/** The blocks section: what is stopped and the fix in words. */
export function blocksView(blocks: readonly StatusEvent[]): SafeHtml {
  return blocks.length === 0
    ? html`<p class="muted" id="no-blocks">Nothing is blocked.</p>`
    : html`<ul id="blocks" class="checks">${blocks.map(
        (b) =>
          html`<li class="check check-fail"><strong>Blocked: ${blockScope(b)}</strong> since ${b.at.toISOString()}<br>${b.message}<br><span class="fix">The worker probes it again by itself; once fixed, members in permanent error are retried.</span></li>`,
      )}</ul>`;
}

/** The latest reason of each member that entered permanent error (newest first). */
export function memberErrorsView(events: readonly StatusEvent[]): SafeHtml {
  const latest = new Map<string, StatusEvent>();
  for (const e of events) if (e.memberId !== null && !latest.has(e.memberId)) latest.set(e.memberId, e);
  if (latest.size === 0) return html``;
  return html`<h3>Permanent errors</h3><ul id="member-errors">${[...latest.values()].map(
    (e) =>
      html`<li><a href="/admin/role-sync?member=${e.memberId ?? ""}#member-detail">member ${e.memberId}</a> (${e.at.toISOString()}): ${e.message}</li>`,
  )}</ul>`;
}

/** The last role-sync activity on top, then the ones before it. */
export function activityView(events: readonly StatusEvent[]): SafeHtml {
  const [last, ...before] = events;
  if (!last)
    return html`<p class="muted" id="last-activity">No role-sync activity recorded yet (is the worker running?).</p>`;
  return html`<p id="last-activity"><strong>Last:</strong> ${last.at.toISOString()} <code>${last.kind}</code>: ${last.message}</p>${
    before.length > 0
      ? html`<ul id="rounds">${before.map((r) => html`<li><strong>${r.at.toISOString()}</strong> <code>${r.kind}</code>: ${r.message}</li>`)}</ul>`
      : ""
  }`;
}

/** A worker task's latest round as `store.taskStatus` keeps it. */
export interface LastRound {
  worker: string;
  at: Date;
  summary: Record<string, unknown>;
}

/** A worker records a round at least this often while it runs with complete settings. */
const STALE_AFTER_MS = 3 * 60_000;

/** How long ago `at` was, in words ("12 s ago", "4 min ago", "3 h ago"). */
export function ago(at: Date, now: Date): string {
  const s = Math.max(0, Math.round((now.getTime() - at.getTime()) / 1000));
  if (s < 120) return `${s} s ago`;
  if (s < 7200) return `${Math.round(s / 60)} min ago`;
  return `${Math.round(s / 3600)} h ago`;
}

/**
 * The worker's last role-sync round: when, by which worker, what it did — or that none was
 * recorded (is the worker running?), or that the last one is old (stopped, or idle on incomplete
 * settings).
 */
export function lastRoundView(round: LastRound | null, now: Date): SafeHtml {
  if (!round)
    return html`<p class="muted" id="task-round">No worker has recorded a role-sync round yet. Start the worker (<code>pnpm start</code> runs one) and complete the settings.</p>`;
  const c = roundCounts(round.summary);
  const stale = now.getTime() - round.at.getTime() > STALE_AFTER_MS;
  const mode = round.summary.mode === "bulk" ? " (guild listed in bulk)" : "";
  return html`<p id="task-round"${stale ? html` class="check-fail"` : ""}><strong>Last round:</strong> ${round.at.toISOString()} (${ago(round.at, now)}) by worker <code>${round.worker}</code>: ${c.checked} members checked${mode}, ${c.added} roles added, ${c.removed} removed, ${c.notInGuild} not in the guild, ${c.failed} failed, ${c.discordCalls} Discord calls.${
    stale
      ? html` <strong>No round since then:</strong> a running worker records one at least every minute; check that it runs and that the settings are complete.`
      : ""
  }</p>`;
}
