import { createServer } from "node:http";
import {
  closeServer,
  createDiscordLogin,
  type DiscordLogin,
  type ExampleConfig,
  listen,
  type RunningExample,
} from "@guildkit/example-shared";
import { getRequestListener } from "@hono/node-server";
import { Hono } from "hono";

/** The whole mount: Hono already speaks Fetch, so each route hands `c.req.raw` over and returns the `Response`. */
export function createApp(login: DiscordLogin): Hono {
  const app = new Hono();
  app.get("/", (c) => login.home(c.req.raw));
  app.get("/login/discord", (c) => login.startLogin(c.req.raw));
  app.get("/login/discord/callback", (c) => login.loginCallback(c.req.raw));
  app.get("/me", (c) => login.me(c.req.raw));
  app.post("/logout", (c) => login.logout(c.req.raw));
  return app;
}

/** Starts the Hono example on Node (`@hono/node-server`'s listener, as its `serve` does) on `port` (default 0: any free port). */
export async function startHonoExample(config: ExampleConfig & { port?: number }): Promise<RunningExample> {
  const login = await createDiscordLogin(config);
  const server = createServer(getRequestListener(createApp(login).fetch));
  const url = await listen(server, config.port);
  return {
    url,
    async close() {
      await closeServer(server);
      await login.close();
    },
  };
}
