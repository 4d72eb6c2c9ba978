import { GuildkitError } from "@guildkit/core";

/** Configured role connection metadata records that Discord would refuse (or guildkit cannot fill). */
export class RoleConnectionSchemaError extends GuildkitError {
  override readonly name = "RoleConnectionSchemaError";
  declare readonly code: "role_connection_schema";
  /** Every problem found, as `path: message`. */
  readonly issues: string[];
  constructor(issues: string[]) {
    super(
      `the linked-roles metadata records are invalid: ${issues.join("; ")}; fix the linked_roles settings`,
      { retryable: false, code: "role_connection_schema" },
    );
    this.issues = issues;
  }
}

/** Invalid linked-roles settings (mode, platform name). */
export class LinkedRolesSettingsError extends GuildkitError {
  override readonly name = "LinkedRolesSettingsError";
  declare readonly code: "linked_roles_settings";
  readonly issues: string[];
  constructor(issues: string[]) {
    super(`the linked-roles settings are invalid: ${issues.join("; ")}`, {
      retryable: false,
      code: "linked_roles_settings",
    });
    this.issues = issues;
  }
}
