import type { DiscordRest, DiscordRestObserver } from "@guildkit/discord-rest";
import type { Registry } from "prom-client";
import { counterOn, histogramOn, replaceGauge, seconds } from "./metrics-shared";

/** Which of the worker's Discord clients a series is about. */
export type DiscordClientName = "role_sync" | "webhooks" | "relay";

const DURATION_BUCKETS = [0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 15];
const WAIT_BUCKETS = [0.001, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

type StatsSource = Pick<DiscordRest, "stats">;
const sources = new WeakMap<Registry, Map<DiscordClientName, StatsSource>>();

function registerGauges(registry: Registry, clients: Map<DiscordClientName, StatsSource>): void {
  const each = async <T>(pick: (client: DiscordClientName, rest: StatsSource) => T[]) =>
    [...clients].flatMap(([client, rest]) => pick(client, rest));
  replaceGauge(registry, {
    name: "guildkit_discord_invalid_requests",
    help: "Invalid Discord requests (401, 403, non-shared 429) in the last 10 minutes, as the ban guard counts them (shared by every process with Redis); Discord bans the IP at 10,000",
    labelNames: ["client"],
    read: () =>
      each((client, rest) => {
        const stats = rest.stats();
        return [[{ client }, stats.banGuard?.invalidRequests ?? stats.invalidRequests] as const];
      }),
  });
  replaceGauge(registry, {
    name: "guildkit_discord_ban_guard_state",
    help: "The ban guard's state per client: 1 for the state it is in (normal, slowing, stopped), 0 for the others",
    labelNames: ["client", "state"],
    read: () =>
      each((client, rest) => {
        const state = rest.stats().banGuard?.state;
        if (!state) return [];
        return (["normal", "slowing", "stopped"] as const).map(
          (s) => [{ client, state: s }, s === state ? 1 : 0] as const,
        );
      }),
  });
  replaceGauge(registry, {
    name: "guildkit_discord_ban_guard_refused_total",
    help: "Calls the ban guard refused (DiscordBanGuardError), since the client was built",
    labelNames: ["client"],
    type: "counter",
    read: () =>
      each((client, rest) => {
        const refused = rest.stats().banGuard?.refused;
        return refused === undefined ? [] : [[{ client }, refused] as const];
      }),
  });
}

/**
 * The Prometheus side of a Discord client: an observer for `createDiscordRest({ observer })` and
 * `track(rest)` for the ban guard's count (read at scrape time from the newest client of that
 * name). Series, labelled by `client`: `guildkit_discord_requests_total{method,route,status}`
 * (route templates only; status `none` when no answer came), `guildkit_discord_request_duration_seconds{method,route}`,
 * `guildkit_discord_rate_limited_total{scope}`, `guildkit_discord_retries_total{reason}`,
 * `guildkit_discord_budget_wait_seconds`, `guildkit_discord_invalid_requests`,
 * `guildkit_discord_ban_guard_state{state}` and `guildkit_discord_ban_guard_refused_total`.
 */
export function createDiscordMetrics(
  registry: Registry,
  client: DiscordClientName,
): { observer: DiscordRestObserver; track(rest: StatsSource): void } {
  const requests = counterOn(
    registry,
    "guildkit_discord_requests_total",
    "Discord HTTP attempts answered, by client, method, route template and status (none: no answer — timed out or dropped)",
    ["client", "method", "route", "status"],
  );
  const duration = histogramOn(
    registry,
    "guildkit_discord_request_duration_seconds",
    "Time from sending a Discord request to its answer, by client, method and route template",
    DURATION_BUCKETS,
    ["client", "method", "route"],
  );
  const rateLimited = counterOn(
    registry,
    "guildkit_discord_rate_limited_total",
    "Discord 429 answers, by client and X-RateLimit-Scope (user, global, shared)",
    ["client", "scope"],
  );
  const retries = counterOn(
    registry,
    "guildkit_discord_retries_total",
    "Discord attempts repeated after a 5xx, a timeout or a dropped connection, by client and reason",
    ["client", "reason"],
  );
  const budgetWait = histogramOn(
    registry,
    "guildkit_discord_budget_wait_seconds",
    "Time a Discord attempt waited for its turn (ban guard slowdown, global pause, bucket, the shared request budget) before it was sent",
    WAIT_BUCKETS,
    ["client"],
  );
  let clients = sources.get(registry);
  if (!clients) {
    clients = new Map();
    sources.set(registry, clients);
  }
  registerGauges(registry, clients);
  const tracked = clients;
  return {
    observer: {
      onResponse({ method, route, status, durationMs }) {
        requests.inc({ client, method, route, status: status === 0 ? "none" : String(status) });
        if (status !== 0) duration.observe({ client, method, route }, seconds(durationMs));
      },
      onRateLimited: ({ scope }) => rateLimited.inc({ client, scope }),
      onRetry: ({ reason }) => retries.inc({ client, reason }),
      onBudgetWait: ({ ms }) => budgetWait.observe({ client }, seconds(ms)),
    },
    track(rest) {
      tracked.set(client, rest);
    },
  };
}
