/**
 * The SQL dialect a store runs on. Shared code branches on it in one place per feature (a
 * `switch (dialect)` or a per-dialect function), never scattered through queries.
 */
export type Dialect = "sqlite" | "postgres";

/** Port: the current time (`@guildkit/core`'s). The stores stamp rows with it; tests hand in a fixed clock. */
export type { Clock } from "@guildkit/core";
/** The wall clock (`@guildkit/core/system`'s). */
export { systemClock } from "@guildkit/core/system";
