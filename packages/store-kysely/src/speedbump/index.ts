import type { Kysely } from "kysely";
import type { Clock, Dialect } from "../dialect";
import type { Database } from "../schema";
import { createProxyMemberStore } from "./members";
import type { ProxyMemberStore, SpeedbumpStore } from "./ports";
import { createSpeedbumpStateStore } from "./state";

/** Both speedbump ports on one object: pass it as `store` and as `members` to `createSpeedbump`. */
export type KyselySpeedbumpStore = SpeedbumpStore & ProxyMemberStore;

/**
 * The speedbump's store: `SpeedbumpStore` (channel state, proxy users, holds, unresolved
 * identities) and `ProxyMemberStore` (member cache and senders) of `@guildkit/pk-speedbump`.
 * Times come from the callers (the core's clock), so `clock` is unused.
 */
export function createSpeedbumpStore(
  db: Kysely<Database>,
  dialect: Dialect,
  _clock?: Clock,
): KyselySpeedbumpStore {
  return { ...createSpeedbumpStateStore(db, dialect), ...createProxyMemberStore(db, dialect) };
}

export { createProxyMemberStore } from "./members";
export { createSpeedbumpStateStore } from "./state";
