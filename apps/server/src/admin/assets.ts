import { readFileSync } from "node:fs";
import type { Hono } from "hono";

/** The console's static files (`src/admin/assets/`), by name, with their content type. */
const FILES: Record<string, string> = {
  "console.css": "text/css; charset=utf-8",
  "webhook-editor.js": "text/javascript; charset=utf-8",
};

/**
 * `GET /admin/assets/:name`: the stylesheet and the preview script, served as files so the pages
 * need no inline style or script (the console's CSP allows `'self'` only). Read once, at start.
 */
export function assetRoutes(app: Hono): void {
  const files = new Map(
    Object.entries(FILES).map(([name, type]) => [
      name,
      { type, body: readFileSync(new URL(`./assets/${name}`, import.meta.url), "utf8") },
    ]),
  );
  app.get("/admin/assets/:name", (c) => {
    const file = files.get(c.req.param("name"));
    if (!file) return c.text("Not found", 404);
    c.header("content-type", file.type);
    c.header("cache-control", "no-cache");
    return c.body(file.body);
  });
}
