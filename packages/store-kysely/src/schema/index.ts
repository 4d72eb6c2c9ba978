import type { FoundationTables } from "./foundation";
import type { MemberTokenTables } from "./member-tokens";
import type { OAuthTables } from "./oauth";
import type { RoleConnectionTables } from "./role-connections";
import type { RoleSyncTables } from "./role-sync";
import type { SessionTables } from "./sessions";
import type { SpeedbumpTables } from "./speedbump";
import type { WebhookTables } from "./webhooks";

export * from "./columns";
export * from "./foundation";
export * from "./member-tokens";
export * from "./oauth";
export * from "./role-connections";
export * from "./role-sync";
export * from "./sessions";
export * from "./speedbump";
export * from "./webhooks";

/**
 * The kysely `Database` type of the reference schema: one `…Tables` interface per feature,
 * declared in `schema/<feature>.ts`. A feature adds its interface to the `extends` list below
 * (one edit) and `export *` of its file above.
 */
export interface Database
  extends FoundationTables,
    OAuthTables,
    MemberTokenTables,
    RoleConnectionTables,
    RoleSyncTables,
    SessionTables,
    SpeedbumpTables,
    WebhookTables {}
