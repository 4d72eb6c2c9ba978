import { createDiscordRest } from "@guildkit/discord-rest";
import type { AppStore } from "@guildkit/runtime";
import {
  classifyRowId,
  classifySendError,
  maskWebhookUrl,
  type PreviewResult,
  parseRedeliverRange,
  parseWebhookUrl,
  previewWebhook,
  RedeliverRangeError,
  type RedeliverTarget,
  type RowData,
  RowIdError,
  stringifyRowJson,
  WebhookDefinitionError,
} from "@guildkit/webhook-templates";
import { type Context, Hono } from "hono";
import { adminAuth } from "../admin-auth";
import type { ServerContext } from "../context";

const BASE = "/admin/api/webhooks";

type StoredWebhook = NonNullable<Awaited<ReturnType<AppStore["webhooks"]["get"]>>>;

/**
 * Admin API for webhook notifications, under `/admin/api/webhooks`, behind the admin bearer token:
 * - `GET /` list, `POST /` create, `GET /:id`, `PATCH /:id` (fields to change; the stored URL is kept
 *   when none is sent), `DELETE /:id`. Invalid definitions get 400 `{ error: "invalid_definition",
 *   issues }` naming every problem. URLs come back with their token masked.
 * - `POST /preview` (`{ definition, sample? }`) and `POST /:id/preview` (`{ sample? }`): the message
 *   as delivery would render it, against the sample row or else the table's newest row, and whether
 *   the WHEN condition lets that row through.
 * - `POST /:id/test`: sends that preview through the webhook now.
 * - `POST /:id/pause`, `POST /:id/resume`: pause delivery (events keep accumulating; the trigger
 *   stays) and resume it (they go out in order); the webhook, with `pausedAt`.
 * - `GET /dead?webhookId=&limit=`: dead events with their reasons; `POST /dead/:eventId/redeliver`,
 *   `POST /dead/redeliver` (`{ webhookId?, since?, until? }`): put them back in the queue — with
 *   `since` (ISO 8601), only those whose change was written in `[since, until)`; a bad time is a 400
 *   `invalid_range` naming the `parameter`.
 * Every id (`:id`, `:eventId`, `webhookId` in the query or the body) is parsed by `parseRowId`'s
 * rules: outside 1..2^63-1 or not digits, a 400 `invalid_id` naming the `parameter`, before any SQL.
 */
export function webhookRoutes(ctx: ServerContext) {
  const app = new Hono();
  app.use(`${BASE}`, adminDisabledGuard(ctx), adminAuth(ctx));
  app.use(`${BASE}/*`, adminDisabledGuard(ctx), adminAuth(ctx));
  const hooks = ctx.store.webhooks;
  const webhookBaseUrl = ctx.settings.discordApiBaseUrl;
  const show = (w: StoredWebhook) => ({ ...w, url: maskWebhookUrl(w.url, { baseUrl: webhookBaseUrl }) });
  const invalid = (c: Context, err: WebhookDefinitionError) =>
    c.json(
      {
        error: "invalid_definition",
        message: err.message.replace(/https?:\/\/\S+/g, "****"),
        issues: err.issues,
      },
      400,
    );
  const notFound = (c: Context, id: string) =>
    c.json({ error: "not_found", message: `No webhook ${id}.` }, 404);

  const body = async (c: Context): Promise<Record<string, unknown> | null> => {
    try {
      const value = await c.req.json();
      return typeof value === "object" && value !== null && !Array.isArray(value)
        ? (value as Record<string, unknown>)
        : null;
    } catch {
      return null;
    }
  };
  const badBody = (c: Context) => c.json({ error: "invalid_json", message: "Send a JSON object." }, 400);
  /** The row id sent as `parameter`, or the 400 answer naming it. */
  const idOf = (c: Context, parameter: string, value: unknown): { id: string } | { refused: Response } => {
    const parsed = classifyRowId(value);
    if ("id" in parsed) return { id: parsed.id };
    const { code, reason, message } = new RowIdError(parameter, parsed.reason);
    return { refused: c.json({ error: code, parameter, reason, message }, 400) };
  };
  /** {@link idOf} for an optional filter: `null` when absent. */
  const optionalIdOf = (c: Context, parameter: string, value: unknown) =>
    value === undefined || value === null || value === "" ? { id: null } : idOf(c, parameter, value);

  app.get(BASE, async (c) =>
    c.json({ webhooks: (await hooks.list({ signal: c.req.raw.signal })).map(show) }),
  );

  app.post(BASE, async (c) => {
    const input = await body(c);
    if (!input) return badBody(c);
    try {
      return c.json(show(await hooks.create(input, { webhookBaseUrl })), 201);
    } catch (err) {
      if (err instanceof WebhookDefinitionError) return invalid(c, err);
      throw err;
    }
  });

  app.get(`${BASE}/dead`, async (c) => {
    const limit = Number(c.req.query("limit") ?? 100);
    const webhookId = optionalIdOf(c, "webhookId", c.req.query("webhookId"));
    if ("refused" in webhookId) return webhookId.refused;
    const dead = await hooks.listDead({
      webhookId: webhookId.id,
      limit: Number.isFinite(limit) ? limit : 100,
    });
    return c.json({ events: dead });
  });

  app.post(`${BASE}/dead/redeliver`, async (c) => {
    const input = (await body(c)) ?? {};
    const webhookId = optionalIdOf(c, "webhookId", input.webhookId);
    if ("refused" in webhookId) return webhookId.refused;
    let range: ReturnType<typeof parseRedeliverRange>;
    try {
      range = parseRedeliverRange(input);
    } catch (err) {
      if (!(err instanceof RedeliverRangeError)) throw err;
      return c.json(
        { error: err.code, parameter: err.parameter, reason: err.reason, message: err.message },
        400,
      );
    }
    const target: RedeliverTarget = range
      ? { ...range, ...(webhookId.id ? { webhookId: webhookId.id } : {}) }
      : webhookId.id
        ? { webhookId: webhookId.id }
        : { all: true };
    return c.json({ redelivered: await hooks.redeliver(target) });
  });

  app.post(`${BASE}/dead/:eventId{[0-9]+}/redeliver`, async (c) => {
    const eventId = idOf(c, "eventId", c.req.param("eventId"));
    if ("refused" in eventId) return eventId.refused;
    const count = await hooks.redeliver({ eventId: eventId.id });
    return count === 0
      ? c.json({ error: "not_found", message: `No dead event ${eventId.id}.` }, 404)
      : c.json({ redelivered: count });
  });

  app.post(`${BASE}/preview`, async (c) => {
    const input = await body(c);
    if (!input || typeof input.definition !== "object" || input.definition === null) {
      return c.json({ error: "invalid_json", message: "Send { definition, sample? }." }, 400);
    }
    return preview(c, input.definition as Record<string, unknown>, input.sample, input.old);
  });

  app.get(`${BASE}/:id{[0-9]+}`, async (c) => {
    const id = idOf(c, "id", c.req.param("id"));
    if ("refused" in id) return id.refused;
    const w = await hooks.get(id.id);
    return w ? c.json(show(w)) : notFound(c, id.id);
  });

  app.patch(`${BASE}/:id{[0-9]+}`, async (c) => {
    const parsed = idOf(c, "id", c.req.param("id"));
    if ("refused" in parsed) return parsed.refused;
    const id = parsed.id;
    const current = await hooks.get(id);
    if (!current) return notFound(c, id);
    const input = await body(c);
    if (!input) return badBody(c);
    const merged = { ...definitionOf(current), ...input };
    try {
      const updated = await hooks.update(id, merged, { webhookBaseUrl });
      return updated ? c.json(show(updated)) : notFound(c, id);
    } catch (err) {
      if (err instanceof WebhookDefinitionError) return invalid(c, err);
      throw err;
    }
  });

  app.delete(`${BASE}/:id{[0-9]+}`, async (c) => {
    const parsed = idOf(c, "id", c.req.param("id"));
    if ("refused" in parsed) return parsed.refused;
    const id = parsed.id;
    return (await hooks.remove(id)) ? c.body(null, 204) : notFound(c, id);
  });

  for (const action of ["pause", "resume"] as const) {
    app.post(`${BASE}/:id{[0-9]+}/${action}`, async (c) => {
      const id = idOf(c, "id", c.req.param("id"));
      if ("refused" in id) return id.refused;
      const w = await hooks[action](id.id, { signal: c.req.raw.signal });
      return w ? c.json(show(w)) : notFound(c, id.id);
    });
  }

  app.post(`${BASE}/:id{[0-9]+}/preview`, async (c) => {
    const id = idOf(c, "id", c.req.param("id"));
    if ("refused" in id) return id.refused;
    const current = await hooks.get(id.id);
    if (!current) return notFound(c, id.id);
    const input = (await body(c)) ?? {};
    return preview(c, definitionOf(current), input.sample, input.old);
  });

  app.post(`${BASE}/:id{[0-9]+}/test`, async (c) => {
    const id = idOf(c, "id", c.req.param("id"));
    if ("refused" in id) return id.refused;
    const current = await hooks.get(id.id);
    if (!current) return notFound(c, id.id);
    const input = (await body(c)) ?? {};
    const result = await render(definitionOf(current), input.sample, input.old);
    if ("error" in result) return c.json(result.error, result.status);
    if (!result.preview.ok)
      return c.json({ error: "invalid_definition", issues: result.preview.issues }, 400);
    if (result.preview.message.empty) {
      return c.json(
        { error: "empty_message", message: "The template renders an empty message for this row." },
        400,
      );
    }
    const target = parseWebhookUrl(current.url, { baseUrl: webhookBaseUrl });
    const rest = createDiscordRest({
      token: "webhook-only",
      apiBaseUrl: webhookBaseUrl,
      retries: 0,
      timeoutMs: 10_000,
    });
    try {
      const sent = await rest.executeWebhook({
        webhookId: target.webhookId,
        webhookToken: target.token,
        threadId: target.threadId,
        body: result.preview.message.body,
        wait: true,
      });
      return c.json({ sent: true, messageId: sent.id, content: result.preview.message.body.content });
    } catch (err) {
      const outcome = classifySendError(err);
      return c.json({ sent: false, outcome }, 502);
    } finally {
      await rest.close();
    }
  });

  /** Renders a definition against the sample, or the newest row of its table. */
  async function render(
    definition: Record<string, unknown>,
    sample: unknown,
    old: unknown,
  ): Promise<
    { preview: PreviewResult; row: RowData } | { error: Record<string, unknown>; status: 400 | 404 }
  > {
    const table = typeof definition.table === "string" ? definition.table : "";
    let found: Awaited<ReturnType<typeof hooks.tableColumns>>;
    try {
      found = await hooks.tableColumns(table); // refuses guildkit's own tables before reading them
    } catch (err) {
      if (err instanceof WebhookDefinitionError)
        return { preview: { ok: false, issues: [...err.issues] }, row: {} };
      throw err;
    }
    let row: RowData | null = isRow(sample) ? sample : null;
    if (row === null && found) row = await hooks.newestRow(found.table);
    if (row === null) {
      return {
        error: {
          error: "no_sample",
          message: `Send a sample row: table ${table || "(none)"} has no rows to preview against.`,
        },
        status: found ? 400 : 404,
      };
    }
    const preview = previewWebhook(
      definition,
      {
        columns: found?.columns ?? null,
        tableName: found?.table,
        tables: found ? [] : await hooks.tables(),
        webhookBaseUrl,
      },
      { row, old: isRow(old) ? old : null },
    );
    return { preview, row };
  }

  async function preview(c: Context, definition: Record<string, unknown>, sample: unknown, old: unknown) {
    const result = await render(definition, sample, old);
    if ("error" in result) return c.json(result.error, result.status);
    if (!result.preview.ok)
      return c.json({ error: "invalid_definition", issues: result.preview.issues }, 400);
    const { message, whenMatches } = result.preview;
    c.header("content-type", "application/json; charset=utf-8");
    return c.body(
      stringifyRowJson({
        message: message.body,
        truncated: message.truncated,
        empty: message.empty,
        whenMatches,
        row: result.row,
      }),
    );
  }

  return app;
}

/** With no admin token configured the admin API is off, and says so. */
function adminDisabledGuard(ctx: ServerContext) {
  return async (c: Context, next: () => Promise<void>) => {
    if (!ctx.settings.adminToken) {
      return c.json(
        { error: "admin_disabled", message: "The admin API is disabled: set ADMIN_TOKEN to enable it." },
        503,
      );
    }
    await next();
  };
}

function definitionOf(w: StoredWebhook): Record<string, unknown> {
  return {
    url: w.url,
    template: w.template,
    username: w.username,
    avatarUrl: w.avatarUrl,
    table: w.table,
    operation: w.operation,
    when: w.when,
    enabled: w.enabled,
    mentionUserColumns: w.mentionUserColumns,
    retryDelaysMs: w.retryDelaysMs,
    giveUpAfterMs: w.giveUpAfterMs,
    embed: w.embed,
    coalesce: w.coalesce,
  };
}

function isRow(value: unknown): value is RowData {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
