import { createBearerCheck } from "@guildkit/runtime";
import type { MiddlewareHandler } from "hono";
import type { ServerContext } from "./context";

/**
 * Guards the admin API with `Authorization: Bearer <ADMIN_TOKEN>` — exactly that: the scheme as
 * written, one space, the token, nothing around it — compared in constant time (both sides hashed
 * first, so the length does not leak either). 401 with a `WWW-Authenticate` challenge otherwise; an
 * empty token lets nothing in. The token is never logged.
 */
export function adminAuth(ctx: Pick<ServerContext, "settings">): MiddlewareHandler {
  const authorized = createBearerCheck(ctx.settings.adminToken);
  return async (c, next) => {
    if (!authorized(c.req.header("authorization"))) {
      c.header("WWW-Authenticate", 'Bearer realm="guildkit admin"');
      return c.json(
        { error: "unauthorized", message: "Send the admin token as `Authorization: Bearer <ADMIN_TOKEN>`." },
        401,
      );
    }
    await next();
  };
}
