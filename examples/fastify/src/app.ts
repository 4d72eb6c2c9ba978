import {
  createDiscordLogin,
  type DiscordLogin,
  type ExampleConfig,
  loginRoutes,
  type RunningExample,
} from "@guildkit/example-shared";
import { toWebRequest } from "@guildkit/example-shared/node";
import Fastify, { type FastifyInstance } from "fastify";

/** The whole mount: each route turns `request.raw` into a web `Request`; Fastify 5 sends a `Response` as is. */
export function createApp(login: DiscordLogin, publicUrl: string): FastifyInstance {
  const app = Fastify();
  // Leave every body unread: the handlers read (and limit) their own forms.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser("*", (_request, _body, done) => done(null));
  for (const { method, path, handler } of loginRoutes(login)) {
    app.route({ method, url: path, handler: (request) => handler(toWebRequest(request.raw, publicUrl)) });
  }
  return app;
}

/** Starts the Fastify example on `port` (default 0: any free port). */
export async function startFastifyExample(
  config: ExampleConfig & { port?: number },
): Promise<RunningExample> {
  const login = await createDiscordLogin(config);
  const app = createApp(login, config.publicUrl);
  const url = await app.listen({ port: config.port ?? 0, host: "127.0.0.1" });
  return {
    url,
    async close() {
      await app.close();
      await login.close();
    },
  };
}
