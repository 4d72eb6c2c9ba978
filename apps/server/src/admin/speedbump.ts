import type { Hono } from "hono";
import { type ConsoleDeps, page } from "./guard";
import { html } from "./html";
import { layout, respond } from "./layout";

/** Rows shown per list. */
const LIMIT = 100;
/** "Seen before" far enough ahead that every cached member counts (the store lists by last sighting). */
const EVERYONE_MS = 366 * 24 * 3600 * 1000;

/**
 * `GET /admin/speedbump` (read-only): the channels where PluralKit was detected (the speedbump is
 * on), the messages held now, the proxied messages whose identity is still unresolved, and the
 * PluralKit members mapped per guild (oldest sighting first). The relay runs in the worker.
 */
export function speedbumpPages(app: Hono, deps: ConsoleDeps): void {
  const store = deps.ctx.store.speedbump;
  app.get(
    "/admin/speedbump",
    page(deps, async (c, session) => {
      const signal = c.req.raw.signal;
      const later = new Date(deps.clock.now().getTime() + EVERYONE_MS);
      const channels = await store.listActiveChannels({ signal });
      const holds = (await store.listHolds({ signal })).slice(0, LIMIT);
      const unresolved = await store.listUnresolved({ dueBefore: later, limit: LIMIT, signal });
      const members = await store.listStaleMembers({ seenBefore: later, limit: LIMIT, signal });
      const empty = (id: string, text: string) => html`<p class="muted" id="${id}">${text}</p>`;
      const body = html`<div class="counts"><div><strong id="count-channels">${channels.length}</strong>channels with PluralKit</div><div><strong id="count-holds">${holds.length}</strong>messages held</div><div><strong>${unresolved.length}</strong>identities unresolved</div><div><strong>${members.length}</strong>members mapped</div></div><h2>Channels with PluralKit</h2>${
        channels.length === 0
          ? empty(
              "no-channels",
              "PluralKit has not been seen proxying in any channel yet: no message is delayed.",
            )
          : html`<table id="sb-channels"><thead><tr><th>Channel</th><th>Proxy application</th><th>Proxy webhook</th><th>Webhooks read at (UTC)</th></tr></thead><tbody>${channels.map(
              (ch) =>
                html`<tr><td>${ch.channelId}</td><td>${ch.proxyApplicationId ?? "—"}</td><td>${ch.webhookId ?? "—"}</td><td>${ch.checkedAt?.toISOString() ?? "never"}</td></tr>`,
            )}</tbody></table>`
      }<h2>Holds pending</h2>${
        holds.length === 0
          ? empty("no-holds", "No message is held right now.")
          : html`<table id="sb-holds"><thead><tr><th>Message</th><th>Channel</th><th>Author</th><th>Held at</th><th>Due at</th></tr></thead><tbody>${holds.map(
              (h) =>
                html`<tr><td>${h.messageId}</td><td>${h.channelId}</td><td>${h.message.author.id}</td><td>${h.heldAt.toISOString()}</td><td>${h.dueAt.toISOString()}</td></tr>`,
            )}</tbody></table>`
      }<h2>Mapped members</h2>${
        members.length === 0
          ? empty("no-members", "No PluralKit member seen yet.")
          : html`<table id="sb-members"><thead><tr><th>Member</th><th>Handle</th><th>System</th><th>Guild</th><th>Last seen (UTC)</th></tr></thead><tbody>${members.map(
              (m) =>
                html`<tr><td>${m.displayName}</td><td>${m.handle}</td><td>${m.systemId ?? "—"}</td><td>${m.guildId}</td><td>${m.lastSeenAt.toISOString()}</td></tr>`,
            )}</tbody></table>`
      }`;
      return respond(c, layout({ title: "Speedbump", page: "speedbump", csrf: session.csrf }, body));
    }),
  );
}
