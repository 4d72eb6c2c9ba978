import type { AddressInfo } from "node:net";
import { serve } from "@hono/node-server";
import { createSimApi } from "./api";
import { createSimApp } from "./app";
import { createSimContext } from "./context";
import type { DiscordSim, DiscordSimOptions } from "./types";

/**
 * Starts the simulator: an HTTP server that answers like Discord API v10, its OAuth2 pages and CDN,
 * and PluralKit API v2. Port 0 (the default) picks an ephemeral port; `close()` stops it.
 *
 * @example
 * const sim = await startDiscordSim({ routeLimits: { member_role: { limit: 2, windowMs: 200 } } });
 * const app = sim.seed.application({ redirectUris: ["http://localhost:3000/discord/callback"] });
 * // point the client at sim.apiBaseUrl …
 * await sim.close();
 */
export async function startDiscordSim(options: DiscordSimOptions = {}): Promise<DiscordSim> {
  const ctx = createSimContext(options);
  const api = createSimApi(ctx);
  const host = options.host ?? "127.0.0.1";
  let origin = "";
  const urls = () => ({
    url: origin,
    apiBaseUrl: `${origin}/api/v10`,
    authorizeUrl: `${origin}/oauth2/authorize`,
    cdnBaseUrl: `${origin}/cdn`,
    pluralkitBaseUrl: `${origin}/pk/v2`,
  });
  const app = createSimApp(ctx, api, urls);
  const server = await new Promise<ReturnType<typeof serve>>((resolve, reject) => {
    const s = serve({ fetch: app.fetch, port: options.port ?? 0, hostname: host }, () => resolve(s));
    s.once("error", reject);
  });
  const { port } = server.address() as AddressInfo;
  origin = `http://${host.includes(":") ? `[${host}]` : host}:${port}`;

  let closed: Promise<void> | null = null;
  return {
    ...urls(),
    seed: api.seed,
    inspect: api.inspect,
    faults: api.faults,
    authorize: api.authorize,
    reset: api.reset,
    close() {
      closed ??= new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        if ("closeAllConnections" in server) server.closeAllConnections();
      });
      return closed;
    },
  };
}
