import {
  type DiscordLogin,
  type ExampleConfig,
  loginRoutes,
  type RunningExample,
  startNodeExample,
} from "@guildkit/example-shared";
import { getRequestListener } from "@hono/node-server";
import { Hono } from "hono";

/** The whole mount: Hono already speaks Fetch, so each route hands `c.req.raw` over and returns the `Response`. */
export function createApp(login: DiscordLogin): Hono {
  const app = new Hono();
  for (const { method, path, handler } of loginRoutes(login)) app.on(method, path, (c) => handler(c.req.raw));
  return app;
}

/** Starts the Hono example on Node (`@hono/node-server`'s listener, as its `serve` does). */
export function startHonoExample(config: ExampleConfig & { port?: number }): Promise<RunningExample> {
  return startNodeExample(config, (login) => getRequestListener(createApp(login).fetch));
}
