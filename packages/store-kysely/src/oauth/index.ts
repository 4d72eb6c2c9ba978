import type { SecretBox } from "@guildkit/core";
import type { MemberAccounts, MemberTokenStore, NonceStore, SessionStore } from "@guildkit/oauth-state";
import type { Kysely } from "kysely";
import type { Clock, Dialect } from "../dialect";
import { DEFAULT_MEMBERS_TABLE, type MembersTable } from "../members-table/shape";
import type { Database } from "../schema";
import { createMemberTokenStore } from "../tokens";
import { createOAuthMemberAccounts } from "./member-accounts";
import { createOAuthNonceStore } from "./nonce-store";
import { createOAuthSessionStore } from "./session-store";

export { createOAuthMemberAccounts } from "./member-accounts";
export { createOAuthNonceStore } from "./nonce-store";
export { createOAuthSessionStore } from "./session-store";

/**
 * The OAuth ports of a store: `nonces` (`NonceStore`), `memberAccounts` (`MemberAccounts`),
 * `sessions` (`SessionStore`) and `memberTokens` (`MemberTokenStore`, tokens sealed with `secretBox`).
 */
export function createOAuthStore(
  db: Kysely<Database>,
  dialect: Dialect,
  clock: Clock,
  members: MembersTable = DEFAULT_MEMBERS_TABLE,
  secretBox: SecretBox | null = null,
) {
  const store: {
    nonces: NonceStore;
    memberAccounts: MemberAccounts;
    sessions: SessionStore;
    memberTokens: MemberTokenStore;
  } = {
    /** `NonceStore` of `@guildkit/oauth-state` on `oauth_states`. */
    nonces: createOAuthNonceStore(db, dialect),
    /** `MemberAccounts` of `@guildkit/oauth-state` on the members table. */
    memberAccounts: createOAuthMemberAccounts(db, dialect, clock, members),
    /** `SessionStore` of `@guildkit/oauth-state` on `sessions` (migration `009-sessions`). */
    sessions: createOAuthSessionStore(db, dialect),
    /** `MemberTokenStore` of `@guildkit/oauth-state` on `member_oauth_tokens` (migration `012-member-tokens`), sealed. */
    memberTokens: createMemberTokenStore(db, dialect, secretBox, members),
  };
  return store;
}

/** What {@link createOAuthStore} returns. */
export type OAuthStore = ReturnType<typeof createOAuthStore>;
