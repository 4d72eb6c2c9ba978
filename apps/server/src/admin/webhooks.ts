import { WebhookDefinitionError } from "@guildkit/webhook-templates";
import type { Context, Hono } from "hono";
import { action, type ConsoleDeps, page } from "./guard";
import { html } from "./html";
import { layout, respond } from "./layout";
import {
  definitionOf,
  type EditorValues,
  editorForm,
  maskUrls,
  type PreviewView,
  valuesFromForm,
  valuesOf,
} from "./webhook-editor";
import { type ListedDead, type ListedWebhook, webhookList } from "./webhook-list";

/** Stands in for the URL while a new webhook has none yet: the preview does not send anything. */
const PREVIEW_URL = "https://discord.com/api/webhooks/100000000000000000/preview-only";

/**
 * The webhooks pages, over `/admin/api/webhooks`: the list with outbox counts and dead letters
 * (redeliver one or all), enable/disable/delete, the editor (`/admin/webhooks/new`, `/:id`) with
 * the table's columns, a preview (`POST /admin/webhooks/preview`: a page without JavaScript, JSON
 * for the editor's script) and "send test" for a saved webhook.
 */
export function webhookPages(app: Hono, deps: ConsoleDeps): void {
  const { api } = deps;
  const hooks = deps.ctx.store.webhooks;
  const ID = "{[0-9]{1,19}}";

  const columnsOf = async (table: string) => {
    if (!table) return null;
    try {
      const found = await hooks.tableColumns(table);
      return found
        ? found.columns.map((c) =>
            typeof c === "string" ? { name: c } : { name: c.name, type: c.type ?? undefined },
          )
        : null;
    } catch (error) {
      if (error instanceof WebhookDefinitionError) return null;
      throw error;
    }
  };

  const editor = async (
    c: Context,
    frame: { csrf: string; id: string | null; notice?: string | null },
    values: EditorValues,
    extra: {
      issues?: PreviewView["issues"];
      preview?: PreviewView | null;
      status?: 200 | 400 | 404 | 502;
    } = {},
  ) => {
    const body = editorForm({
      id: frame.id,
      values,
      csrf: frame.csrf,
      issues: extra.issues ?? [],
      columns: await columnsOf(values.table),
      tables: await hooks.tables(),
      preview: extra.preview ?? null,
    });
    const title = frame.id ? `Webhook ${frame.id}` : "New webhook";
    const test = frame.id
      ? html`<h2>Send a test</h2><p class="help">Sends the saved definition's preview through the webhook now.</p><form method="post" action="/admin/webhooks/${frame.id}/test">${html`<input type="hidden" name="_csrf" value="${frame.csrf}">`}<button type="submit" id="webhook-test">Send test</button></form>`
      : "";
    return respond(
      c,
      layout(
        { title, page: "webhooks", csrf: frame.csrf, scripts: ["webhook-editor.js"], notice: frame.notice },
        html`<p><a href="/admin/webhooks">← all webhooks</a></p>${body}${test}`,
      ),
      extra.status ?? 200,
    );
  };

  /** Renders the editor's values through the admin API's preview. */
  const preview = async (values: EditorValues, id: string | null): Promise<PreviewView> => {
    const view: PreviewView = {
      ok: false,
      content: null,
      whenMatches: null,
      truncated: false,
      empty: false,
      issues: [],
      problem: null,
    };
    let sample: unknown;
    if (values.sample.trim() !== "") {
      try {
        sample = JSON.parse(values.sample);
      } catch {
        return {
          ...view,
          issues: [{ path: ["sample"], code: "invalid_json", message: "the sample row is not valid JSON" }],
        };
      }
    }
    const definition = definitionOf(values);
    if (!definition.url) definition.url = (id ? (await hooks.get(id))?.url : null) ?? PREVIEW_URL;
    const answer = await api("POST", "/webhooks/preview", { definition, sample });
    if (answer.status === 200) {
      const body = answer.body;
      return {
        ...view,
        ok: true,
        content: body.message?.content ?? "",
        whenMatches: body.whenMatches,
        truncated: body.truncated,
        empty: body.empty,
      };
    }
    if (answer.body?.error === "invalid_definition") return { ...view, issues: answer.body.issues ?? [] };
    return { ...view, problem: String(answer.body?.message ?? "The preview failed.") };
  };

  app.get(
    "/admin/webhooks",
    page(deps, async (c, session) => {
      const webhooks = (await api("GET", "/webhooks")).body.webhooks as ListedWebhook[];
      const dead = (await api("GET", "/webhooks/dead?limit=1000")).body.events as ListedDead[];
      const counts = await hooks.countByState();
      const stats = await hooks.countByWebhook();
      const notice = c.req.query("notice") ?? null;
      return respond(
        c,
        layout(
          { title: "Webhooks", page: "webhooks", csrf: session.csrf, notice },
          webhookList({ csrf: session.csrf, webhooks, dead, counts, stats }),
        ),
      );
    }),
  );

  app.get(
    "/admin/webhooks/new",
    page(deps, (c, s) => editor(c, { csrf: s.csrf, id: null }, valuesOf(null))),
  );

  app.get(
    `/admin/webhooks/:id${ID}`,
    page(deps, async (c, s) => {
      const id = c.req.param("id") ?? "";
      const found = await api("GET", `/webhooks/${id}`);
      if (found.status !== 200) return c.redirect("/admin/webhooks?notice=No+such+webhook.", 303);
      return editor(c, { csrf: s.csrf, id, notice: c.req.query("notice") ?? null }, valuesOf(found.body));
    }),
  );

  app.post(
    "/admin/webhooks/preview",
    action(deps, async (c, s, form) => {
      const values = valuesFromForm(form);
      const id = form.id && /^[0-9]{1,19}$/.test(form.id) ? form.id : null;
      const view = await preview(values, id);
      if ((c.req.header("accept") ?? "").includes("application/json")) {
        return c.json({
          ...view,
          issues: view.issues.map((i) => ({ ...i, message: maskUrls(i.message) })),
          columns: await columnsOf(values.table),
        });
      }
      // A typed URL is not sent back (its token is a secret): type it again to save.
      return editor(c, { csrf: s.csrf, id }, { ...values, url: "" }, { preview: view });
    }),
  );

  const save = async (c: Context, csrf: string, id: string | null, values: EditorValues) => {
    const answer = id
      ? await api("PATCH", `/webhooks/${id}`, definitionOf(values))
      : await api("POST", "/webhooks", { url: "", ...definitionOf(values) });
    if (answer.status === 200 || answer.status === 201) {
      return c.redirect(`/admin/webhooks/${answer.body.id}?notice=Saved.`, 303);
    }
    if (answer.status === 404) return c.redirect("/admin/webhooks?notice=No+such+webhook.", 303);
    const issues = answer.body?.issues ?? [
      { path: [], code: "refused", message: String(answer.body?.message ?? "refused") },
    ];
    return editor(c, { csrf, id }, { ...values, url: "" }, { issues, status: 400 });
  };
  app.post(
    "/admin/webhooks/new",
    action(deps, (c, s, form) => save(c, s.csrf, null, valuesFromForm(form))),
  );
  app.post(
    `/admin/webhooks/:id${ID}`,
    action(deps, (c, s, form) => save(c, s.csrf, c.req.param("id") ?? "", valuesFromForm(form))),
  );

  app.post(
    `/admin/webhooks/:id${ID}/toggle`,
    action(deps, async (c) => {
      const id = c.req.param("id") ?? "";
      const current = await api("GET", `/webhooks/${id}`);
      if (current.status !== 200) return c.redirect("/admin/webhooks?notice=No+such+webhook.", 303);
      const answer = await api("PATCH", `/webhooks/${id}`, { enabled: !current.body.enabled });
      const notice =
        answer.status === 200
          ? `Webhook ${id} ${answer.body.enabled ? "enabled" : "disabled"}.`
          : `Webhook ${id} could not be changed.`;
      return c.redirect(`/admin/webhooks?notice=${encodeURIComponent(notice)}`, 303);
    }),
  );

  app.post(
    `/admin/webhooks/:id${ID}/delete`,
    action(deps, async (c) => {
      const id = c.req.param("id") ?? "";
      const answer = await api("DELETE", `/webhooks/${id}`);
      const notice = answer.status === 204 ? `Webhook ${id} deleted.` : `No webhook ${id}.`;
      return c.redirect(`/admin/webhooks?notice=${encodeURIComponent(notice)}`, 303);
    }),
  );

  app.post(
    `/admin/webhooks/:id${ID}/test`,
    action(deps, async (c, s) => {
      const id = c.req.param("id") ?? "";
      const found = await api("GET", `/webhooks/${id}`);
      if (found.status !== 200) return c.redirect("/admin/webhooks?notice=No+such+webhook.", 303);
      const sent = await api("POST", `/webhooks/${id}/test`, {});
      const notice = testNotice(sent.status, sent.body);
      return editor(c, { csrf: s.csrf, id, notice }, valuesOf(found.body), {
        status: sent.status === 200 ? 200 : 502,
      });
    }),
  );

  app.post(
    "/admin/webhooks/dead/redeliver",
    action(deps, async (c) => {
      const answer = await api("POST", "/webhooks/dead/redeliver", {});
      return c.redirect(
        `/admin/webhooks?notice=${encodeURIComponent(`Redelivering ${answer.body?.redelivered ?? 0} dead event(s).`)}`,
        303,
      );
    }),
  );

  app.post(
    `/admin/webhooks/dead/:eventId${ID}/redeliver`,
    action(deps, async (c) => {
      const eventId = c.req.param("eventId") ?? "";
      const answer = await api("POST", `/webhooks/dead/${eventId}/redeliver`, {});
      const notice =
        answer.status === 200 ? `Event ${eventId} is queued again.` : `No dead event ${eventId}.`;
      return c.redirect(`/admin/webhooks?notice=${encodeURIComponent(notice)}`, 303);
    }),
  );
}

/** What "send test" did, in words. */
function testNotice(status: number, body: Record<string, unknown> | null): string {
  if (status === 200) return `Test message sent (Discord message ${String(body?.messageId)}).`;
  const outcome = body?.outcome as { message?: string; kind?: string } | undefined;
  if (outcome)
    return `The test was not delivered (${outcome.kind}): ${maskUrls(outcome.message ?? "Discord refused it")}.`;
  const issues = body?.issues as { message: string }[] | undefined;
  return `The test was not sent: ${maskUrls(issues?.map((i) => i.message).join("; ") ?? String(body?.message ?? body?.error ?? status))}`;
}
