import type { Context } from "hono";
import { html, type SafeHtml } from "./html";

/**
 * The console's own policy (security-headers.ts keeps a page's own policy): scripts and styles
 * only as files from this origin (`/admin/assets/…`), nothing inline, forms post only here.
 */
export const CONSOLE_CSP =
  "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; " +
  "form-action 'self'; base-uri 'none'; object-src 'none'; frame-ancestors 'none'";

/** The console pages, in the navigation's order. */
const NAV = [
  ["settings", "Settings"],
  ["webhooks", "Webhooks"],
  ["events", "Event log"],
  ["role-sync", "Role sync"],
  ["speedbump", "Speedbump"],
] as const;

/** A console page name, for the navigation's current entry. */
export type ConsolePage = (typeof NAV)[number][0] | "login";

/** What every page gets besides its body. */
export interface PageFrame {
  title: string;
  page: ConsolePage;
  /** The session's CSRF token: the logout form, and `<meta name="csrf-token">` for scripts. */
  csrf: string | null;
  /** Scripts to load, as file names under `/admin/assets/`. */
  scripts?: readonly string[];
  /** A notice on top (saved, redelivered…). */
  notice?: string | null;
}

/** The hidden CSRF field every console form carries. */
export function csrfField(csrf: string): SafeHtml {
  return html`<input type="hidden" name="_csrf" value="${csrf}">`;
}

/** A whole console page. */
export function layout(frame: PageFrame, body: SafeHtml): SafeHtml {
  const nav = frame.csrf
    ? html`<nav><strong>guildkit admin</strong>${NAV.map(
        ([page, label]) =>
          html`<a href="/admin/${page}"${page === frame.page ? html` aria-current="page"` : ""}>${label}</a>`,
      )}<form method="post" action="/admin/logout" class="inline">${csrfField(frame.csrf)}<button type="submit" id="admin-logout" class="secondary">Sign out</button></form></nav>`
    : html`<nav><strong>guildkit admin</strong></nav>`;
  return html`<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>${frame.title} · guildkit admin</title><link rel="stylesheet" href="/admin/assets/console.css">${
    frame.csrf ? html`<meta name="csrf-token" content="${frame.csrf}">` : ""
  }${(frame.scripts ?? []).map((s) => html`<script src="/admin/assets/${s}" defer></script>`)}</head><body>${nav}<main><h1>${frame.title}</h1>${
    frame.notice ? html`<p class="notice" id="notice" role="status">${frame.notice}</p>` : ""
  }${body}</main></body></html>`;
}

/** Answers an HTML page under the console's policy, never cached. */
export function respond(c: Context, markup: SafeHtml, status: 200 | 400 | 403 | 404 | 409 | 502 | 503 = 200) {
  c.header("content-security-policy", CONSOLE_CSP);
  c.header("cache-control", "no-store");
  return c.html(markup.value, status);
}
