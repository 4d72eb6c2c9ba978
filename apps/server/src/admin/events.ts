import type { Hono } from "hono";
import { type ConsoleDeps, page } from "./guard";
import { html, jsonText } from "./html";
import { layout, respond } from "./layout";

/** Entries per page. */
const PAGE_SIZE = 50;
const LEVELS = ["info", "warn", "error"] as const;

/** Webhook URL tokens, should one reach an entry's data: shown masked like everywhere else. */
const maskTokens = (text: string) => text.replace(/(webhooks\/[0-9]+\/)[^/\s"?]+/g, "$1****");

/** A `datetime-local` or ISO text as a date, `null` when empty or not a date. */
function dateOf(text: string | undefined): Date | null {
  if (!text) return null;
  const at = new Date(/[zZ]|[+-]\d\d:\d\d$/.test(text) ? text : `${text}Z`);
  return Number.isNaN(at.getTime()) ? null : at;
}

/**
 * `GET /admin/events`: the event log, newest first, filtered by kind (a prefix: `discord.`,
 * `role.`…), level and a time window (`since`, `until`, UTC), 50 a page ("Older" pages on by the
 * last entry's time). Data values under secret-looking keys are redacted by the store; webhook
 * tokens are masked here too.
 */
export function eventPages(app: Hono, deps: ConsoleDeps): void {
  app.get(
    "/admin/events",
    page(deps, async (c, session) => {
      const kind = (c.req.query("kind") ?? "").trim();
      const levelText = c.req.query("level") ?? "";
      const level = (LEVELS as readonly string[]).includes(levelText)
        ? (levelText as (typeof LEVELS)[number])
        : undefined;
      const since = dateOf(c.req.query("since"));
      const until = dateOf(c.req.query("until"));
      const before = dateOf(c.req.query("before")) ?? until ?? undefined;
      const rows = await deps.ctx.store.eventLog.list({
        ...(kind ? { kindPrefix: kind } : {}),
        ...(level ? { level } : {}),
        ...(before ? { before: until && before > until ? until : before } : {}),
        limit: PAGE_SIZE + 1,
        signal: c.req.raw.signal,
      });
      const inWindow = rows.filter((r) => !since || r.at >= since);
      const shown = inWindow.slice(0, PAGE_SIZE);
      const more = inWindow.length > PAGE_SIZE;
      const query = (extra: Record<string, string>) =>
        new URLSearchParams({
          ...(kind ? { kind } : {}),
          ...(level ? { level } : {}),
          ...(since ? { since: since.toISOString() } : {}),
          ...extra,
        }).toString();
      const last = shown.at(-1);
      const body = html`<form method="get" action="/admin/events" class="filters" id="event-filters"><div><label for="ev-kind">Kind starts with</label><input type="text" id="ev-kind" name="kind" value="${kind}" placeholder="discord. role. oauth. webhook."></div><div><label for="ev-level">Level</label><select id="ev-level" name="level"><option value="">any</option>${LEVELS.map(
        (l) => html`<option${l === level ? html` selected` : ""}>${l}</option>`,
      )}</select></div><div><label for="ev-since">Since (UTC)</label><input type="text" id="ev-since" name="since" value="${
        since?.toISOString() ?? ""
      }" placeholder="2026-01-31T12:00"></div><div><label for="ev-until">Until (UTC)</label><input type="text" id="ev-until" name="until" value="${
        until?.toISOString() ?? ""
      }"></div><div><button type="submit" id="ev-filter">Filter</button></div></form>${
        shown.length === 0
          ? html`<p class="muted" id="no-events">No entry matches.</p>`
          : html`<table id="events"><thead><tr><th>At (UTC)</th><th>Level</th><th>Kind</th><th>Message</th><th>Member / Discord user</th><th>Data</th></tr></thead><tbody>${shown.map(
              (r) =>
                html`<tr class="event"><td>${r.at.toISOString()}</td><td class="${r.level === "error" ? "bad" : ""}">${r.level}</td><td><code>${r.kind}</code></td><td>${maskTokens(
                  r.message,
                )}</td><td>${r.memberId ?? "—"} / ${r.discordUserId ?? "—"}</td><td>${
                  Object.keys(r.data).length > 0
                    ? html`<details><summary>data</summary><pre>${maskTokens(jsonText(r.data))}</pre></details>`
                    : ""
                }</td></tr>`,
            )}</tbody></table>`
      }${more && last ? html`<p><a class="button" id="events-older" href="/admin/events?${query({ before: last.at.toISOString() })}">Older entries →</a></p>` : ""}`;
      return respond(c, layout({ title: "Event log", page: "events", csrf: session.csrf }, body));
    }),
  );
}
