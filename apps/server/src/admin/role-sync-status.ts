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
    return html`<p class="muted" id="last-round">No role-sync activity recorded yet (is the worker running?).</p>`;
  return html`<p id="last-round"><strong>Last:</strong> ${last.at.toISOString()} <code>${last.kind}</code>: ${last.message}</p>${
    before.length > 0
      ? html`<ul id="rounds">${before.map((r) => html`<li><strong>${r.at.toISOString()}</strong> <code>${r.kind}</code>: ${r.message}</li>`)}</ul>`
      : ""
  }`;
}
