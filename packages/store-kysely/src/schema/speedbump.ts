import type { ColumnType } from "kysely";
import type { JsonColumn, NullableTimeColumn, TimeColumn } from "./columns";

/** Per channel (a thread's parent): the proxy bot's webhook and when the webhooks were last read. */
export interface SpeedbumpChannelsTable {
  channel_id: string;
  proxy_application_id: string | null;
  webhook_id: string | null;
  checked_at: NullableTimeColumn;
}

/** Discord users seen as the sender of a proxied message. */
export interface SpeedbumpProxyUsersTable {
  user_id: string;
  last_seen_at: TimeColumn;
}

/** Messages on hold, with their due time and the (merged) create event as JSON. */
export interface SpeedbumpHoldsTable {
  message_id: string;
  channel_id: string;
  held_at: TimeColumn;
  due_at: TimeColumn;
  message: JsonColumn;
}

/** Proxied messages whose PluralKit identity is still to be resolved. */
export interface SpeedbumpUnresolvedTable {
  message_id: string;
  channel_id: string;
  guild_id: string | null;
  webhook_id: string;
  webhook_username: string;
  webhook_avatar_url: string | null;
  attempts: ColumnType<number, number, number>;
  next_attempt_at: TimeColumn;
}

/** The PluralKit member identity cache, keyed by `pk:<uuid>`. */
export interface PkMembersTable {
  member_key: string;
  member_id: string;
  member_uuid: string;
  system_id: string | null;
  system_uuid: string | null;
  handle: string;
  display_name: string;
  avatar_url: string | null;
  updated_at: TimeColumn;
}

/** Who proxied which member in which guild, and when last. */
export interface PkMemberSendersTable {
  guild_id: string;
  member_key: string;
  sender_user_id: string;
  last_seen_at: TimeColumn;
}

/** The speedbump's tables (migration `005-speedbump`). */
export interface SpeedbumpTables {
  speedbump_channels: SpeedbumpChannelsTable;
  speedbump_proxy_users: SpeedbumpProxyUsersTable;
  speedbump_holds: SpeedbumpHoldsTable;
  speedbump_unresolved: SpeedbumpUnresolvedTable;
  pk_members: PkMembersTable;
  pk_member_senders: PkMemberSendersTable;
}
