import { Hono } from "hono";
import type { ServerContext } from "../context";
import { adminConfigRoutes } from "../routes/admin-config";
import { webhookRoutes } from "../routes/webhooks";

/** An answer of the admin API: its status and JSON body (`null` when it had none). */
export interface ApiAnswer {
  status: number;
  // biome-ignore lint/suspicious/noExplicitAny: the API's JSON, read by the page that asked for it
  body: any;
}

/** Calls the admin JSON API in process, as the admin (the bearer token never leaves the server). */
export type AdminApi = (
  method: "GET" | "POST" | "PUT" | "PATCH" | "DELETE",
  path: string,
  body?: unknown,
  signal?: AbortSignal,
) => Promise<ApiAnswer>;

/**
 * The console is a client of the admin API: every rule (validation, masking, conflicts, previews,
 * test sends, redelivery) stays in `routes/admin-config.ts`, `routes/webhooks.ts` and the packages
 * behind them; the pages only render. Requests go to the routes in process (`app.request`), with
 * the admin token, and errors the routes throw reach the server's `onError` as before.
 */
export function createAdminApi(ctx: ServerContext): AdminApi {
  const api = new Hono();
  api.onError((error) => {
    throw error;
  });
  api.route("/", adminConfigRoutes(ctx));
  api.route("/", webhookRoutes(ctx));
  return async (method, path, body, signal) => {
    const res = await api.request(`/admin/api${path}`, {
      method,
      headers: { authorization: `Bearer ${ctx.settings.adminToken}`, "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal,
    });
    const text = await res.text();
    return { status: res.status, body: text === "" ? null : JSON.parse(text) };
  };
}
