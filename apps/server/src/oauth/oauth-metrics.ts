import { type EventLog, OAuthFlowError, type OAuthFlows } from "@guildkit/oauth-state";
import { Counter, type Registry } from "prom-client";

/** Which OAuth flow: signing in with Discord, or linking Discord to a signed-in member. */
export type OAuthFlowName = "login" | "link";

/** Callback outcomes the flows record (`oauth.callback`), by result. */
const RESULT_OF: Record<string, "ok" | "pending"> = {
  signed_in: "ok",
  created: "ok",
  linked: "ok",
  replaced: "ok",
  signup_pending: "pending",
  replace_pending: "pending",
};

function counterOn<TLabel extends string>(
  registry: Registry,
  name: string,
  help: string,
  labelNames: readonly TLabel[],
): Counter<TLabel> {
  return (
    (registry.getSingleMetric(name) as Counter<TLabel> | undefined) ??
    new Counter({ name, help, labelNames, registers: [registry] })
  );
}

/**
 * The OAuth routes' metrics on `registry` (registered once per registry):
 * `guildkit_oauth_starts_total{flow}` — starts that sent the browser to Discord's authorize page;
 * `guildkit_oauth_callbacks_total{flow,result,outcome}` — every outcome the flows write to the event
 * log (the confirmation steps included): result `ok` (outcome `signed_in`, `created`, `linked`,
 * `replaced`), `pending` (`signup_pending`, `replace_pending`: a confirmation page was shown) or
 * `error` (outcome = the refusal's stable code, e.g. `state_invalid`, `authorization_denied`;
 * `internal` for an unexpected failure). Outcomes are counted from the flows' event-log entries,
 * refusals from the errors the callback steps throw — as they happen, even those the event log
 * collapses into one row.
 */
export function createOAuthMetrics(registry: Registry) {
  const starts = counterOn(
    registry,
    "guildkit_oauth_starts_total",
    "OAuth flows started (the browser sent to Discord's authorize page), by flow (login, link)",
    ["flow"],
  );
  const callbacks = counterOn(
    registry,
    "guildkit_oauth_callbacks_total",
    "OAuth callback outcomes, by flow, result (ok, pending, error) and outcome (signed_in, created, linked, replaced, *_pending, or the error code)",
    ["flow", "result", "outcome"],
  );
  const count = (entry: Parameters<EventLog["append"]>[0]) => {
    if (entry.kind !== "oauth.callback") return;
    const data = entry.data ?? {};
    const flow = data.flow === "link" ? "link" : "login";
    const outcome = String(data.outcome ?? "unknown");
    callbacks.inc({ flow, result: RESULT_OF[outcome] ?? "ok", outcome });
  };
  const refused = (flow: OAuthFlowName, error: unknown) =>
    callbacks.inc({
      flow,
      result: "error",
      outcome: error instanceof OAuthFlowError ? error.code : "internal",
    });
  /** A callback step, its refusals counted. */
  const step =
    <TArgs extends unknown[], TResult>(flow: OAuthFlowName, run: (...args: TArgs) => Promise<TResult>) =>
    async (...args: TArgs): Promise<TResult> => {
      try {
        return await run(...args);
      } catch (error) {
        refused(flow, error);
        throw error;
      }
    };
  return {
    /** Counts a start whose answer redirects (to Discord); returns the answer. */
    started(flow: OAuthFlowName, response: Response): Response {
      if (response.status >= 300 && response.status < 400) starts.inc({ flow });
      return response;
    },
    /** The flows, the refusals of their callback steps counted. */
    flows<TResult>(flows: OAuthFlows<TResult>): OAuthFlows<TResult> {
      return {
        ...flows,
        completeLogin: step("login", flows.completeLogin.bind(flows)),
        confirmSignup: step("login", flows.confirmSignup.bind(flows)),
        completeLink: step("link", flows.completeLink.bind(flows)),
        confirmReplace: step("link", flows.confirmReplace.bind(flows)),
      };
    },
    /** The flows' event log, counting their callback outcomes on the way. */
    eventLog(inner: EventLog): EventLog {
      return {
        async append(entry, io) {
          count(entry); // the outcome happened, whether or not its log line is written
          await inner.append(entry, io);
        },
      };
    },
  };
}
