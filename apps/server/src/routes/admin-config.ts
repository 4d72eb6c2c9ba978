import {
  ConfigConflictError,
  ConfigValidationError,
  createConfigLoader,
  discordConfigSpec,
} from "@guildkit/config";
import { roleSyncConfigSpec } from "@guildkit/role-reconciler";
import { Hono } from "hono";
import { adminAuth } from "../admin-auth";
import type { ServerContext } from "../context";

/** The runtime configuration modules the admin API serves, by name. */
const specs = { discord: discordConfigSpec, role_sync: roleSyncConfigSpec } as const;

/**
 * Admin API for runtime configuration, under `/admin/api/config/:module`:
 * - `GET` → the latest version described for display (labels, sections, help; secrets masked).
 * - `PUT` (JSON object of changes, optional `expectedVersion`) → a new validated version; a secret
 *   sent back exactly as it was shown masked keeps its value. 400 names every bad field; 409 when
 *   `expectedVersion` is stale.
 * - `GET …/history` → recent versions, secrets masked.
 */
export function adminConfigRoutes(ctx: ServerContext) {
  const app = new Hono();
  app.use("/admin/api/config/*", adminAuth(ctx));

  const loaderFor = (module: string) =>
    module in specs
      ? createConfigLoader({ store: ctx.store.configStore, spec: specs[module as keyof typeof specs] })
      : null;
  const unknownModule = (module: string) => ({
    error: "unknown_module",
    message: `No configuration module "${module}"; known: ${Object.keys(specs).join(", ")}.`,
  });

  app.get("/admin/api/config/:module", async (c) => {
    const loader = loaderFor(c.req.param("module"));
    if (!loader) return c.json(unknownModule(c.req.param("module")), 404);
    return c.json(await loader.describe({ signal: c.req.raw.signal }));
  });

  app.get("/admin/api/config/:module/history", async (c) => {
    const loader = loaderFor(c.req.param("module"));
    if (!loader) return c.json(unknownModule(c.req.param("module")), 404);
    const limit = Math.min(100, Math.max(1, Number(c.req.query("limit") ?? 20) || 20));
    return c.json({ versions: await loader.history({ limit, signal: c.req.raw.signal }) });
  });

  app.put("/admin/api/config/:module", async (c) => {
    const module = c.req.param("module");
    const loader = loaderFor(module);
    if (!loader) return c.json(unknownModule(module), 404);
    let body: unknown;
    try {
      body = await c.req.json();
    } catch {
      return c.json({ error: "invalid_json", message: "Send a JSON object of settings to change." }, 400);
    }
    if (typeof body !== "object" || body === null || Array.isArray(body)) {
      return c.json({ error: "invalid_body", message: "Send a JSON object of settings to change." }, 400);
    }
    const { expectedVersion, ...changes } = body as Record<string, unknown>;
    try {
      const saved = await loader.save(changes, {
        createdBy: "admin-api",
        expectedVersion: typeof expectedVersion === "number" ? expectedVersion : null,
        signal: c.req.raw.signal,
      });
      await ctx.store.eventLog.append({
        kind: "config.saved",
        level: "info",
        message: `configuration "${module}" saved as version ${saved.version}`,
        data: { module, version: saved.version, fields: Object.keys(changes) },
      });
      return c.json(await loader.describe({ signal: c.req.raw.signal }));
    } catch (error) {
      if (error instanceof ConfigValidationError) {
        return c.json({ error: "validation_failed", message: error.message, issues: error.issues }, 400);
      }
      if (error instanceof ConfigConflictError) {
        return c.json({ error: "version_conflict", message: error.message }, 409);
      }
      throw error;
    }
  });
  return app;
}
