import { createServer, type Server } from "node:http";
import { collectDefaultMetrics, Registry } from "prom-client";
import { createBearerCheck } from "./bearer";
import { checkLiveness, type ReadinessReport, readinessStatus } from "./health";

/** A Prometheus registry with Node's default metrics, labelled with the app name. */
export function createMetrics(app: string): Registry {
  const registry = new Registry();
  registry.setDefaultLabels({ app });
  collectDefaultMetrics({ register: registry });
  return registry;
}

/**
 * Serves, on a port of their own (a worker's, or the server's with `METRICS_PORT` set):
 * `GET /metrics` (the registry, Prometheus text; with a `token`, only for `Authorization: Bearer
 * <token>`, 401 otherwise); `GET /healthz`, liveness — 200 while the process answers, with `ping`'s
 * outcome as the informational `database` field (see `LivenessReport`); and, with `ready`,
 * `GET /readyz` — `ready()`'s report, 200 when ready, else 503 with its `reason`. `/healthz` and
 * `/readyz` stay open for load balancers. Resolves once listening; `close()` stops it.
 */
export async function serveMetrics(opts: {
  registry: Registry;
  port: number;
  host?: string;
  /** `METRICS_TOKEN`; `null` or absent: `/metrics` is open. */
  token?: string | null;
  ping: (io: { signal: AbortSignal }) => Promise<unknown>;
  /** Readiness for `/readyz`; absent: `/readyz` is not served here (404). */
  ready?: () => Promise<ReadinessReport>;
}): Promise<{ port: number; close(): Promise<void> }> {
  const authorized = opts.token ? createBearerCheck(opts.token) : () => true;
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? "/").split("?")[0];
    const answer = (status: number, type: string, body: string, headers: Record<string, string> = {}) => {
      res
        .writeHead(status, {
          "content-type": type,
          "cache-control": "no-store",
          "x-content-type-options": "nosniff",
          ...headers,
        })
        .end(body);
    };
    const json = (status: number, body: unknown) => answer(status, "application/json", JSON.stringify(body));
    if (req.method !== "GET") return answer(405, "text/plain", "method not allowed");
    if (path === "/metrics" && !authorized(req.headers.authorization)) {
      return answer(401, "text/plain", "send the metrics token as Authorization: Bearer <METRICS_TOKEN>", {
        "www-authenticate": 'Bearer realm="guildkit metrics"',
      });
    }
    if (path === "/metrics") {
      opts.registry.metrics().then(
        (text) => answer(200, opts.registry.contentType, text),
        () => answer(500, "text/plain", "metrics unavailable"),
      );
      return;
    }
    if (path === "/healthz") {
      void checkLiveness(opts.ping).then((report) => json(200, report));
      return;
    }
    if (path === "/readyz" && opts.ready) {
      opts.ready().then(
        (report) => json(readinessStatus(report), report),
        (error: unknown) =>
          json(503, { status: "unavailable", reason: "database_error", message: String(error) }),
      );
      return;
    }
    answer(404, "text/plain", "not found");
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port, opts.host ?? "0.0.0.0", () => resolve());
  });
  const address = server.address();
  return {
    port: typeof address === "object" && address !== null ? address.port : opts.port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
