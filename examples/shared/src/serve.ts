import { createServer, type RequestListener, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { createDiscordLogin, type DiscordLogin, type ExampleConfig } from "./discord-login";

/** A started example: where it listens, and how to stop it. */
export interface RunningExample {
  /** `http://127.0.0.1:<port>` — the port the server got (`port: 0` picks a free one). */
  url: string;
  close(): Promise<void>;
}

/** Listens on `port` (0: any free one) and resolves to the server's URL. */
export async function listen(server: Server, port = 0, host = "127.0.0.1"): Promise<string> {
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => resolve());
  });
  return `http://${host}:${(server.address() as AddressInfo).port}`;
}

/** Stops accepting connections, ends the idle keep-alive ones, and resolves once closed. */
export function closeServer(server: Server): Promise<void> {
  return new Promise((resolve, reject) => {
    server.close((error) => (error ? reject(error) : resolve()));
    server.closeIdleConnections();
  });
}

/**
 * Starts an example served by a Node request listener (Express's app, Hono's `getRequestListener`) on
 * `config.port` (default 0: any free port); `close()` stops the server, then closes the store.
 */
export async function startNodeExample(
  config: ExampleConfig & { port?: number },
  listener: (login: DiscordLogin) => RequestListener,
): Promise<RunningExample> {
  const login = await createDiscordLogin(config);
  const server = createServer(listener(login));
  const url = await listen(server, config.port);
  return {
    url,
    async close() {
      await closeServer(server);
      await login.close();
    },
  };
}
