import { createServer } from "node:http";
import {
  closeServer,
  createDiscordLogin,
  type DiscordLogin,
  type ExampleConfig,
  listen,
  type RunningExample,
} from "@guildkit/example-shared";
import { sendWebResponse, toWebRequest } from "@guildkit/example-shared/node";
import express, { type Express, type Request, type Response } from "express";

/** The whole mount: each route turns Express's `req` into a web `Request` and writes the `Response` back. */
export function createApp(login: DiscordLogin, publicUrl: string): Express {
  const web =
    (handler: (request: globalThis.Request) => Promise<globalThis.Response>) =>
    async (req: Request, res: Response) =>
      sendWebResponse(res, await handler(toWebRequest(req, publicUrl)));
  const app = express();
  app.get("/", web(login.home));
  app.get("/login/discord", web(login.startLogin));
  app.get("/login/discord/callback", web(login.loginCallback));
  app.get("/me", web(login.me));
  app.post("/logout", web(login.logout));
  return app;
}

/** Starts the Express example on `port` (default 0: any free port). */
export async function startExpressExample(
  config: ExampleConfig & { port?: number },
): Promise<RunningExample> {
  const login = await createDiscordLogin(config);
  const server = createServer(createApp(login, config.publicUrl));
  const url = await listen(server, config.port);
  return {
    url,
    async close() {
      await closeServer(server);
      await login.close();
    },
  };
}
