/** The reference server as a library: build the Hono app from a context (tests, benchmarks). */
export { createServerApp } from "./app";
export type { ServerContext } from "./context";
export { databaseUnavailable, withDatabaseUnavailable } from "./database-unavailable";
