import {
  createDiscordLogin,
  type DiscordLogin,
  type ExampleConfig,
  type RunningExample,
} from "@guildkit/example-shared";
import { toWebRequest } from "@guildkit/example-shared/node";
import Fastify, { type FastifyInstance, type FastifyRequest } from "fastify";

/** The whole mount: each route turns `request.raw` into a web `Request`; Fastify 5 sends a `Response` as is. */
export function createApp(login: DiscordLogin, publicUrl: string): FastifyInstance {
  const web = (handler: (request: Request) => Promise<Response>) => (request: FastifyRequest) =>
    handler(toWebRequest(request.raw, publicUrl));
  const app = Fastify();
  // Leave every body unread: the handlers read (and limit) their own forms.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser("*", (_request, _body, done) => done(null));
  app.get("/", web(login.home));
  app.get("/login/discord", web(login.startLogin));
  app.get("/login/discord/callback", web(login.loginCallback));
  app.get("/me", web(login.me));
  app.post("/logout", web(login.logout));
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
