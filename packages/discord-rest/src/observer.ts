import type { RateLimitScope } from "./errors";
import type { HttpMethod, Route } from "./route";

/** One HTTP answer (or none) to one attempt. */
export interface DiscordResponseEvent {
  method: HttpMethod;
  /** The route template without the method, e.g. `/guilds/:guild/members/:user`: never an id or a token. */
  route: string;
  /** The HTTP status; `0` when no answer came (timed out, connection dropped). */
  status: number;
  /** From sending the attempt to its answer (or to giving up on it), on the client's clock. */
  durationMs: number;
}

/** A 429 the client received (and will wait out, or give up on). */
export interface DiscordRateLimitedEvent {
  route: string;
  /** `X-RateLimit-Scope` (`user` when Discord names none). */
  scope: RateLimitScope;
  retryAfterMs: number;
}

/** An attempt repeated after a 5xx, a timeout or a dropped connection (429 waits are not retries). */
export interface DiscordRetryEvent {
  route: string;
  /** `timeout`, an errno (`ECONNRESET`…), or `http_<status>`. */
  reason: string;
  /** The retry's number (1 for the first retry). */
  attempt: number;
}

/** How long an attempt waited for its turn before it was sent. */
export interface DiscordBudgetWaitEvent {
  route: string;
  /**
   * From the attempt's start to its turn in the request budget: the ban guard's slowdown, a global
   * pause, the bucket's slot and the budget (bottleneck, shared through Redis when configured).
   */
  ms: number;
}

/**
 * Told what the client does, for metrics (`@guildkit/worker` turns the events into Prometheus
 * series; this package depends on no metrics library). Every method is optional, called
 * synchronously on the request path: keep it cheap. A method that throws is ignored. Events carry
 * route templates only — never an id, a token or a body.
 */
export interface DiscordRestObserver {
  onResponse?(event: DiscordResponseEvent): void;
  onRateLimited?(event: DiscordRateLimitedEvent): void;
  onRetry?(event: DiscordRetryEvent): void;
  onBudgetWait?(event: DiscordBudgetWaitEvent): void;
}

/** The pipeline's side of an observer: every call is safe (a throwing observer is ignored). */
export interface ObserverCalls {
  response(route: Route, status: number, durationMs: number): void;
  rateLimited(route: Route, scope: RateLimitScope, retryAfterMs: number): void;
  retry(route: Route, reason: string, attempt: number): void;
  budgetWait(route: Route, ms: number): void;
}

/** The route template without its method (`GET /a/:b` → `/a/:b`). */
function templateOf(route: Route): string {
  return route.template.slice(route.template.indexOf(" ") + 1);
}

function safely<TEvent>(call: ((event: TEvent) => void) | undefined, event: () => TEvent): void {
  if (!call) return;
  try {
    call(event());
  } catch {
    // An observer never breaks a request.
  }
}

/** Wraps an observer (or none) for the pipeline. */
export function observerCalls(observer: DiscordRestObserver | undefined): ObserverCalls {
  const o = observer ?? {};
  return {
    response: (route, status, durationMs) =>
      safely(o.onResponse?.bind(o), () => ({
        method: route.method,
        route: templateOf(route),
        status,
        durationMs,
      })),
    rateLimited: (route, scope, retryAfterMs) =>
      safely(o.onRateLimited?.bind(o), () => ({ route: templateOf(route), scope, retryAfterMs })),
    retry: (route, reason, attempt) =>
      safely(o.onRetry?.bind(o), () => ({ route: templateOf(route), reason, attempt })),
    budgetWait: (route, ms) => safely(o.onBudgetWait?.bind(o), () => ({ route: templateOf(route), ms })),
  };
}
