import { planDay, type ReconcilePlan } from "@guildkit/role-reconciler";
import { html, type SafeHtml } from "./html";

/** The lifecycle part of the plan: grace periods (with the day each role goes), kicks, roles left alone. */
function lifecycleView(plan: ReconcilePlan): SafeHtml {
  const graces = plan.graces.map(
    (g) =>
      html`<tr><td>${g.discordUserId}</td><td>${g.memberIds.join(", ")}</td><td>${g.roleId}</td><td>loses ${g.roleId} on ${planDay(g.until)} (grace period since ${g.since.toISOString()})</td></tr>`,
  );
  const kicks = plan.kicks.map(
    (k) =>
      html`<tr><td>${k.discordUserId}</td><td>${k.memberIds.join(", ")}</td><td>${k.roleIds.join(", ")}</td><td>${k.reason}</td></tr>`,
  );
  const left = plan.leftAlone.map(
    (l) =>
      html`<tr><td>${l.discordUserId}</td><td>${l.memberIds.join(", ")}</td><td>${l.roleId}</td><td>${l.reason}</td></tr>`,
  );
  const table = (id: string, title: string, rows: SafeHtml[]) =>
    rows.length === 0
      ? ""
      : html`<h3>${title}</h3><table id="${id}"><thead><tr><th>Discord user</th><th>Member</th><th>Role</th><th>What happens</th></tr></thead><tbody>${rows}</tbody></table>`;
  return html`${table("plan-graces", "In their grace period (keep the role until then)", graces)}${table("plan-kicks", "Would be kicked (on lapse: kick)", kicks)}${table("plan-left-alone", "Left alone (not granted by guildkit)", left)}`;
}

/** The dry-run plan: the totals in one sentence, then who gains and loses which role, and why. */
export function planView(plan: ReconcilePlan): SafeHtml {
  const change = (c: ReconcilePlan["gains"][number]) =>
    html`<tr><td>${c.discordUserId}</td><td>${c.memberIds.join(", ")}</td><td>${c.roleId}</td><td>${c.reason}</td></tr>`;
  const table = (id: string, rows: SafeHtml[]) =>
    rows.length === 0
      ? ""
      : html`<table id="${id}"><thead><tr><th>Discord user</th><th>Member</th><th>Role</th><th>Why</th></tr></thead><tbody>${rows}</tbody></table>`;
  return html`<section id="plan"><h2>Dry-run plan</h2><p id="plan-summary"><strong>Would add ${plan.gains.length}, remove ${
    plan.losses.length
  }${lifecycleCounts(plan)}, ${plan.notInGuild.length} not in the guild</strong> — ${plan.checked} member(s) checked with ${plan.discordCalls} Discord read(s) (${
    plan.mode === "bulk" ? "member list read in bulk" : "members read one by one"
  }), nothing changed.</p>${table("plan-gains", plan.gains.map(change))}${table("plan-losses", plan.losses.map(change))}${lifecycleView(plan)}${
    plan.notInGuild.length > 0
      ? html`<p>Not in the guild: ${plan.notInGuild.map((n, i) => html`${i > 0 ? ", " : ""}member ${n.memberId} (${n.discordUserId})`)}</p>`
      : ""
  }${
    plan.errors.length > 0
      ? html`<h3>Problems</h3><ul id="plan-errors">${plan.errors.map((e) => html`<li>member ${e.memberId}: ${e.reason}</li>`)}</ul>`
      : ""
  }</section>`;
}

/** ", loses it on 2026-12-05 (grace period)" for a lapsed grant; empty otherwise. */
function grantLapse(grant: { roleId: string; lapsedAt?: Date | null }, graceMs: number): string {
  if (!grant.lapsedAt) return "";
  return `, no longer entitled: loses it on ${planDay(new Date(grant.lapsedAt.getTime() + graceMs))} (grace period)`;
}

/** One member's page section: its last result, the roles guildkit granted it and its latest role-sync events. */
export function memberView(input: {
  memberId: string;
  grants: { discordUserId: string; roleId: string; origin?: string; lapsedAt?: Date | null }[];
  /** The grace period in force (ms), to say when a lapsed role goes. */
  graceMs?: number;
  events: { at: Date; kind: string; level: string; message: string }[];
  /** The roles the member's account holds in Discord now (read by the page), if linked. */
  held: SafeHtml | null;
  /** The member's kept Discord OAuth grant (`memberGrantView`), if shown. */
  grant?: SafeHtml | null;
  csrf: string;
}): SafeHtml {
  return html`<section id="member-detail"><h2>Member ${input.memberId}</h2><p id="member-roles">${
    input.grants.length === 0
      ? "Holds no role granted by guildkit."
      : html`Roles granted by guildkit: ${input.grants.map((g, i) => html`${i > 0 ? ", " : ""}<code>${g.roleId}</code> (to ${g.discordUserId}${g.origin === "adopted" ? ", held before: adopted" : ""}${grantLapse(g, input.graceMs ?? 0)})`)}`
  }</p>${input.held ?? ""}${input.grant ?? ""}<p id="member-last">${
    input.events[0]
      ? html`<strong>Last result</strong> (${input.events[0].at.toISOString()}): ${input.events[0].message}`
      : "Last result: none recorded yet."
  }</p>${
    input.events.length === 0
      ? html`<p class="muted">No role-sync event recorded for this member.</p>`
      : html`<ul id="member-events">${input.events.map(
          (e) =>
            html`<li><strong>${e.at.toISOString()}</strong> <code>${e.kind}</code> (${e.level}): ${e.message}</li>`,
        )}</ul>`
  }<form method="post" action="/admin/role-sync/member"><input type="hidden" name="_csrf" value="${input.csrf}"><input type="hidden" name="memberId" value="${input.memberId}"><button type="submit" id="reconcile-this-member" class="secondary">Reconcile this member</button></form></section>`;
}

/** The lifecycle's counts in the plan's summary line, only those that are not zero (", kick 2, …"). */
function lifecycleCounts(plan: {
  kicks: readonly unknown[];
  graces: readonly unknown[];
  leftAlone: readonly unknown[];
}): string {
  const parts = [
    plan.kicks.length > 0 ? `kick ${plan.kicks.length}` : "",
    plan.graces.length > 0 ? `${plan.graces.length} role(s) in a grace period` : "",
    plan.leftAlone.length > 0 ? `${plan.leftAlone.length} left alone` : "",
  ].filter(Boolean);
  return parts.length > 0 ? `, ${parts.join(", ")}` : "";
}
