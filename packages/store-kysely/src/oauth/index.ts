import type { MemberAccounts, NonceStore, SessionStore } from "@guildkit/oauth-state";
import type { Kysely } from "kysely";
import type { Clock, Dialect } from "../dialect";
import { DEFAULT_MEMBERS_TABLE, type MembersTable } from "../members-table/shape";
import type { Database } from "../schema";
import { createOAuthMemberAccounts } from "./member-accounts";
import { createOAuthNonceStore } from "./nonce-store";
import { createOAuthSessionStore } from "./session-store";

export { createOAuthMemberAccounts } from "./member-accounts";
export { createOAuthNonceStore } from "./nonce-store";
export { createOAuthSessionStore } from "./session-store";

/**
 * The OAuth ports of a store: `nonces` (`NonceStore`), `memberAccounts` (`MemberAccounts`) and
 * `sessions` (`SessionStore`).
 */
export function createOAuthStore(
  db: Kysely<Database>,
  dialect: Dialect,
  clock: Clock,
  members: MembersTable = DEFAULT_MEMBERS_TABLE,
) {
  const store: { nonces: NonceStore; memberAccounts: MemberAccounts; sessions: SessionStore } = {
    /** `NonceStore` of `@guildkit/oauth-state` on `oauth_states`. */
    nonces: createOAuthNonceStore(db, dialect),
    /** `MemberAccounts` of `@guildkit/oauth-state` on the members table. */
    memberAccounts: createOAuthMemberAccounts(db, dialect, clock, members),
    /** `SessionStore` of `@guildkit/oauth-state` on `sessions` (migration `009-sessions`). */
    sessions: createOAuthSessionStore(db, dialect),
  };
  return store;
}

/** What {@link createOAuthStore} returns. */
export type OAuthStore = ReturnType<typeof createOAuthStore>;
