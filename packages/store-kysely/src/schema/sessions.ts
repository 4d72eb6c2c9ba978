import type { TimeColumn } from "./columns";

/**
 * Server-side sessions (`SessionStore` of `@guildkit/oauth-state`): only the SHA-256 of the session id
 * is stored. A revoked session is deleted; rows past `expires_at` are purged.
 */
export interface SessionsTable {
  /** base64url SHA-256 of the session id (primary key). */
  id_hash: string;
  /** The member (references `members.id`, on delete cascade). */
  member_id: string | number;
  created_at: TimeColumn;
  /** Last use, written at most once a minute. */
  last_seen_at: TimeColumn;
  /** When the session stops being valid unless used again (never past its absolute lifetime). */
  expires_at: TimeColumn;
}

/** The admin console's sessions (migration `017-admin-sessions`): the same columns, `member_id` a label. */
export interface AdminSessionsTable extends Omit<SessionsTable, "member_id"> {
  /** Who signed in (`admin`); no member row behind it. */
  member_id: string;
}

/** The tables of migrations `009-sessions` and `017-admin-sessions`. */
export interface SessionTables {
  sessions: SessionsTable;
  admin_sessions: AdminSessionsTable;
}
