import type { Server } from "node:http";
import type { AddressInfo } from "node:net";

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
