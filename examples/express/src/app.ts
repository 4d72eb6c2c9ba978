import {
  type DiscordLogin,
  type ExampleConfig,
  loginRoutes,
  type RunningExample,
  startNodeExample,
} from "@guildkit/example-shared";
import { sendWebResponse, toWebRequest } from "@guildkit/example-shared/node";
import express, { type Express } from "express";

/** The whole mount: each route turns Express's `req` into a web `Request` and writes the `Response` back. */
export function createApp(login: DiscordLogin, publicUrl: string): Express {
  const app = express();
  for (const { method, path, handler } of loginRoutes(login)) {
    app[method === "GET" ? "get" : "post"](path, async (req, res) =>
      sendWebResponse(res, await handler(toWebRequest(req, publicUrl))),
    );
  }
  return app;
}

/** Starts the Express example on `port` (default 0: any free port). */
export function startExpressExample(config: ExampleConfig & { port?: number }): Promise<RunningExample> {
  return startNodeExample(config, (login) => createApp(login, config.publicUrl));
}
