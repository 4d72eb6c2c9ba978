import { createHash, timingSafeEqual } from "node:crypto";
import type { MiddlewareHandler } from "hono";
import type { ServerContext } from "./context";

const digest = (value: string) => createHash("sha256").update(value).digest();

/**
 * Guards the admin API with `Authorization: Bearer <ADMIN_TOKEN>`, compared in constant time
 * (both sides hashed first, so the length does not leak either). 401 with a `WWW-Authenticate`
 * challenge otherwise. The token is never logged.
 */
export function adminAuth(ctx: Pick<ServerContext, "settings">): MiddlewareHandler {
  const expected = digest(ctx.settings.adminToken);
  return async (c, next) => {
    const header = c.req.header("authorization") ?? "";
    const match = /^Bearer\s+(.+)$/i.exec(header.trim());
    if (!match?.[1] || !timingSafeEqual(digest(match[1]), expected)) {
      c.header("WWW-Authenticate", 'Bearer realm="guildkit admin"');
      return c.json(
        { error: "unauthorized", message: "Send the admin token as `Authorization: Bearer <ADMIN_TOKEN>`." },
        401,
      );
    }
    await next();
  };
}
