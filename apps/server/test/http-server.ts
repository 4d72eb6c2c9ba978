import type { AddressInfo } from "node:net";
import { serve } from "@hono/node-server";

/** Serves `app` over real HTTP on an ephemeral 127.0.0.1 port; `close()` stops it. */
export async function listen(app: {
  fetch: (request: Request) => Response | Promise<Response>;
}): Promise<{ base: string; close: () => Promise<void> }> {
  const server = serve({ fetch: (request) => app.fetch(request), port: 0, hostname: "127.0.0.1" });
  await new Promise<void>((resolve) => server.once("listening", () => resolve()));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { base, close: () => new Promise((resolve) => server.close(() => resolve())) };
}
