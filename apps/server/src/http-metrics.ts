import type { MiddlewareHandler } from "hono";
import { matchedRoutes, routePath } from "hono/route";
import { Counter, Histogram, type Registry } from "prom-client";

/** Latency buckets, in seconds: a redirect or a JSON answer takes milliseconds; a DB stall, seconds. */
const BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
const labelNames = ["method", "route", "status"] as const;
type Label = (typeof labelNames)[number];

/**
 * The server's own HTTP metrics, on `registry`: `guildkit_http_requests_total` and
 * `guildkit_http_request_duration_seconds`, labelled by method, **route template** (`/webhooks/:id`,
 * never the raw path: an id in a label would grow the series without bound) and status. A request no
 * route answered is labelled `unmatched`. Registered once per registry: several apps built on one
 * registry (tests, embedding) share the pair.
 */
export function httpMetrics(registry: Registry): MiddlewareHandler {
  const requests =
    (registry.getSingleMetric("guildkit_http_requests_total") as Counter<Label> | undefined) ??
    new Counter({
      name: "guildkit_http_requests_total",
      help: "HTTP requests answered by the server, by method, route template and status.",
      labelNames,
      registers: [registry],
    });
  const duration =
    (registry.getSingleMetric("guildkit_http_request_duration_seconds") as Histogram<Label> | undefined) ??
    new Histogram({
      name: "guildkit_http_request_duration_seconds",
      help: "Time to answer an HTTP request, by method, route template and status.",
      labelNames,
      buckets: BUCKETS,
      registers: [registry],
    });
  return async (c, next) => {
    const started = process.hrtime.bigint();
    try {
      await next();
    } finally {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      const handled = matchedRoutes(c).some((r) => r.method !== "ALL" && r.path !== "/*");
      const labels = {
        method: c.req.method,
        route: handled ? routePath(c, -1) : "unmatched",
        status: String(c.res.status),
      };
      requests.inc(labels);
      duration.observe(labels, seconds);
    }
  };
}
