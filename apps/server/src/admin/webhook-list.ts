import { html, type SafeHtml } from "./html";
import { csrfField } from "./layout";

/** A webhook as the admin API lists it (URL masked). */
export interface ListedWebhook {
  id: string;
  url: string;
  username: string | null;
  table: string;
  operation: string;
  when: string | null;
  template: string;
  enabled: boolean;
  disabledReason: string | null;
}

/** A dead-lettered event as the admin API lists it. */
export interface ListedDead {
  id: string;
  webhookId: string;
  operation: string;
  createdAt: string | null;
  attempts: number;
  reason: string | null;
  lastError: string | null;
  possibleDuplicate: boolean;
}

const post = (actionPath: string, csrf: string, label: string, id: string, cls = "secondary") =>
  html`<form method="post" action="${actionPath}" class="inline">${csrfField(csrf)}<button type="submit" class="${cls}" id="${id}">${label}</button></form>`;

/** One webhook's delivery, as `store.webhooks.countByWebhook()` reports it. */
interface WebhookDeliveryStats {
  delivered: number;
  pending: number;
  retrying: number;
  dead: number;
  lastError: string | null;
}

/** The outbox counts, the definitions with their delivery stats and dead letters, and the dead letters. */
export function webhookList(input: {
  csrf: string;
  webhooks: ListedWebhook[];
  dead: ListedDead[];
  counts: Record<"pending" | "delivered" | "dead", number>;
  /** Per webhook id (`store.webhooks.countByWebhook()`); a webhook without events is absent. */
  stats: Record<string, WebhookDeliveryStats>;
}): SafeHtml {
  const { csrf } = input;
  const deadBy = new Map<string, ListedDead[]>();
  for (const d of input.dead) deadBy.set(d.webhookId, [...(deadBy.get(d.webhookId) ?? []), d]);
  const rows = input.webhooks.map((w) => {
    const dead = deadBy.get(w.id) ?? [];
    const stats = input.stats[w.id] ?? { delivered: 0, pending: 0, retrying: 0, dead: 0, lastError: null };
    const lastError = stats.lastError ?? dead[0]?.reason ?? dead[0]?.lastError ?? null;
    return html`<tr id="webhook-row-${w.id}"><td>${w.id}</td><td><a href="/admin/webhooks/${w.id}">${w.username ?? "(no username)"}</a><br><span class="muted">${w.url}</span></td><td>${w.operation} on <code>${w.table}</code>${
      w.when ? html`<br><code>WHEN ${w.when}</code>` : ""
    }</td><td>${w.template}</td><td>${
      w.enabled
        ? html`<span class="ok">enabled</span>`
        : html`<span class="bad">disabled</span>${w.disabledReason ? html`<br>${w.disabledReason}` : ""}`
    }</td><td id="webhook-stats-${w.id}">${stats.delivered} delivered · ${stats.pending} pending · ${stats.retrying} retrying · ${stats.dead} dead${
      lastError ? html`<br><span class="muted">last error: ${lastError}</span>` : ""
    }</td><td>${post(
      `/admin/webhooks/${w.id}/toggle`,
      csrf,
      w.enabled ? "Disable" : "Enable",
      `toggle-${w.id}`,
    )}${post(`/admin/webhooks/${w.id}/delete`, csrf, "Delete", `delete-${w.id}`, "danger")}</td></tr>`;
  });
  const deadRows = input.dead.map(
    (d) =>
      html`<tr id="dead-${d.id}"><td>${d.id}</td><td><a href="/admin/webhooks/${d.webhookId}">${d.webhookId}</a></td><td>${d.operation}</td><td>${
        d.createdAt ?? ""
      }</td><td>${d.attempts}</td><td>${d.reason ?? ""}${d.lastError && d.lastError !== d.reason ? html`<br><span class="muted">${d.lastError}</span>` : ""}${
        d.possibleDuplicate ? html`<br><span class="muted">may have been delivered already</span>` : ""
      }</td><td>${post(`/admin/webhooks/dead/${d.id}/redeliver`, csrf, "Redeliver", `redeliver-${d.id}`)}</td></tr>`,
  );
  return html`<div class="counts" id="outbox-counts"><div><strong>${input.counts.pending}</strong>pending or retrying</div><div><strong>${input.counts.delivered}</strong>delivered</div><div><strong>${input.counts.dead}</strong>dead</div></div><p><a class="button" href="/admin/webhooks/new" id="new-webhook">New webhook</a></p>${
    input.webhooks.length === 0
      ? html`<p class="muted">No webhook yet.</p>`
      : html`<table id="webhooks"><thead><tr><th>Id</th><th>Webhook</th><th>Trigger</th><th>Template</th><th>State</th><th>Delivery</th><th></th></tr></thead><tbody>${rows}</tbody></table>`
  }<h2>Dead letters</h2>${
    input.dead.length === 0
      ? html`<p class="muted" id="no-dead">No dead letter.</p>`
      : html`${post("/admin/webhooks/dead/redeliver", csrf, "Redeliver all", "redeliver-all", "")}<table id="dead-letters"><thead><tr><th>Event</th><th>Webhook</th><th>Operation</th><th>Created</th><th>Attempts</th><th>Reason</th><th></th></tr></thead><tbody>${deadRows}</tbody></table>`
  }`;
}
