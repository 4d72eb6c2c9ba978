import { isDatabaseUnavailable, type WorkerStore } from "./store";

/** How long a health or readiness probe waits for the database before calling it unreachable. */
export const PROBE_TIMEOUT_MS = 2_000;

/**
 * `GET /healthz`: liveness. The process answers, so it is alive — always 200, whatever the
 * database does: an orchestrator that restarted a process for a database outage would only add
 * restarts to the outage. `database` is informational (`"ok"` with the round trip, or
 * `"unreachable"`); `/readyz` is the probe that fails while the database is away.
 */
export interface LivenessReport {
  status: "ok";
  database: "ok" | "unreachable";
  /** The database round trip, when it answered. */
  db_ms?: number;
}

/** Why a process is not ready (the `reason` of a 503 from `/readyz`). */
export type NotReadyReason =
  | "database_unreachable"
  | "database_error"
  | "migrations_pending"
  | "tasks_not_running";

/** `GET /readyz`: 200 with `ready`, else 503 with the reason and a sentence saying what to do. */
export type ReadinessReport =
  | { status: "ready"; database: "ok"; db_ms: number }
  | {
      status: "unavailable";
      reason: NotReadyReason;
      message: string;
      /** With `migrations_pending`: the migrations not applied yet. */
      pending?: string[];
    };

/** Runs `probe` with a deadline: rejects with a timeout error when it takes longer. */
async function withDeadline<T>(probe: (signal: AbortSignal) => Promise<T>, timeoutMs: number): Promise<T> {
  const signal = AbortSignal.timeout(timeoutMs);
  let onAbort: (() => void) | undefined;
  const deadline = new Promise<never>((_, reject) => {
    onAbort = () =>
      reject(
        Object.assign(new Error(`the database did not answer within ${timeoutMs} ms`), { code: "ETIMEDOUT" }),
      );
    signal.addEventListener("abort", onAbort, { once: true });
  });
  try {
    return await Promise.race([probe(signal), deadline]);
  } finally {
    if (onAbort) signal.removeEventListener("abort", onAbort);
  }
}

/**
 * Liveness with the database as information only (see {@link LivenessReport}): `ping` is given
 * {@link PROBE_TIMEOUT_MS} (or `timeoutMs`), so the answer never waits on a hung connection.
 */
export async function checkLiveness(
  ping: (io: { signal: AbortSignal }) => Promise<unknown>,
  opts: { timeoutMs?: number } = {},
): Promise<LivenessReport> {
  const started = performance.now();
  try {
    await withDeadline((signal) => ping({ signal }), opts.timeoutMs ?? PROBE_TIMEOUT_MS);
    return { status: "ok", database: "ok", db_ms: Math.round(performance.now() - started) };
  } catch {
    return { status: "ok", database: "unreachable" };
  }
}

/**
 * Readiness: the database answers within the deadline and has every migration applied, and
 * `notStarted()` (the worker: its tasks, started and not waiting to restart) has nothing to say.
 * The first problem found is the reason.
 */
export async function checkReadiness(
  store: Pick<WorkerStore, "pendingMigrations">,
  opts: { timeoutMs?: number; notStarted?: () => string | null } = {},
): Promise<ReadinessReport> {
  const started = performance.now();
  let pending: string[];
  try {
    pending = await withDeadline(
      (signal) => store.pendingMigrations({ signal }),
      opts.timeoutMs ?? PROBE_TIMEOUT_MS,
    );
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    return isDatabaseUnavailable(error)
      ? {
          status: "unavailable",
          reason: "database_unreachable",
          message: `the database is unreachable (${reason}); the process keeps retrying and is ready again once it answers`,
        }
      : {
          status: "unavailable",
          reason: "database_error",
          message: `the database answered with an error (${reason}); check its permissions and the server log`,
        };
  }
  const dbMs = Math.round(performance.now() - started);
  if (pending.length > 0) {
    return {
      status: "unavailable",
      reason: "migrations_pending",
      message: `the database lacks ${pending.length} migration(s); they are applied at start by the server or worker`,
      pending,
    };
  }
  const notStarted = opts.notStarted?.() ?? null;
  if (notStarted !== null) return { status: "unavailable", reason: "tasks_not_running", message: notStarted };
  return { status: "ready", database: "ok", db_ms: dbMs };
}

/** The HTTP status of a readiness report: 200 when ready, 503 otherwise. */
export function readinessStatus(report: ReadinessReport): 200 | 503 {
  return report.status === "ready" ? 200 : 503;
}
