/**
 * The SQL dialect a store runs on. Shared code branches on it in one place per feature (a
 * `switch (dialect)` or a per-dialect function), never scattered through queries.
 */
export type Dialect = "sqlite" | "postgres";

/** Port: the current time. The stores stamp rows with it; tests hand in a fixed clock. */
export interface Clock {
  now(): Date;
}

/** The wall clock. */
export const systemClock: Clock = { now: () => new Date() };
