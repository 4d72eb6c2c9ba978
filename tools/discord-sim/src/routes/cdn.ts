import type { Hono } from "hono";
import type { SimContext } from "../context";
import { applyFaults, clientAddress, type SimEnv, type SimHonoContext } from "../pipeline";
import { renderAvatarPng } from "../png";

/** Largest image the simulator renders; bigger `size` requests get this many pixels. */
export const MAX_RENDERED_SIZE = 1024;
/** Side of an image requested without `size`. */
export const DEFAULT_IMAGE_SIZE = 128;

const FILE = /^(?<hash>[A-Za-z0-9_]+)\.(?<ext>png|jpe?g|webp|gif)$/;
const VALID_SIZES = new Set([16, 32, 64, 128, 256, 512, 1024, 2048, 4096]);

/** CDN: user avatars, guild member avatars, default avatars — real PNG bytes, Cloudflare-like errors. */
export function registerCdnRoutes(app: Hono<SimEnv>, ctx: SimContext): void {
  const { state } = ctx;

  const cdnRoute =
    (lookup: (c: SimHonoContext, hash: string) => boolean) =>
    async (c: SimHonoContext): Promise<Response> => {
      c.set("route", "cdn");
      const faulted = await applyFaults(ctx, c, "cdn", "cdn");
      if (faulted) return faulted;
      const bucket = ctx.buckets.take(`cdn:${clientAddress(c)}`, ctx.options.routeLimits.cdn);
      if (!bucket.ok) {
        c.header("Retry-After", String(Math.max(1, Math.ceil(bucket.resetAfterMs / 1000))));
        return c.text("429: Too Many Requests", 429);
      }
      const match = FILE.exec(c.req.param("file") ?? "");
      if (!match?.groups) return c.text("404: Not Found", 404);
      const { hash = "", ext = "" } = match.groups;
      if (!lookup(c, hash)) return c.text("404: Not Found", 404);
      if (ext === "gif" && !hash.startsWith("a_")) return c.text("415: Unsupported Media Type", 415);
      const rawSize = c.req.query("size");
      let size = DEFAULT_IMAGE_SIZE;
      if (rawSize !== undefined) {
        size = Number(rawSize);
        if (!VALID_SIZES.has(size)) return c.text("400: Bad Request (invalid size)", 400);
      }
      const side = Math.min(size, MAX_RENDERED_SIZE);
      const key = `${hash}:${side}`;
      let png = ctx.pngCache.get(key);
      if (!png) {
        png = renderAvatarPng(hash, side);
        if (ctx.pngCache.size >= 256) ctx.pngCache.delete(ctx.pngCache.keys().next().value ?? "");
        ctx.pngCache.set(key, png);
      }
      return c.body(new Uint8Array(png), 200, {
        "Content-Type": "image/png",
        "Cache-Control": "public, max-age=31536000",
      });
    };

  app.get(
    "/cdn/avatars/:owner/:file",
    cdnRoute((c, hash) => {
      const owner = c.req.param("owner") ?? "";
      return state.users.get(owner)?.avatar === hash || state.webhooks.get(owner)?.avatar === hash;
    }),
  );

  app.get(
    "/cdn/guilds/:guild/users/:user/avatars/:file",
    cdnRoute((c, hash) => {
      const member = state.guilds.get(c.req.param("guild") ?? "")?.members.get(c.req.param("user") ?? "");
      return member?.avatar === hash;
    }),
  );

  app.get(
    "/cdn/embed/avatars/:file",
    cdnRoute((_c, hash) => /^[0-5]$/.test(hash)),
  );

  app.all("/cdn/*", (c) => c.text("404: Not Found", 404));
}
