import { defineConfigSpec, field } from "@guildkit/config";
import { z } from "zod";
import { metadataRecordsSchema } from "./metadata-schema";

/**
 * How a guild's paid roles are given: `bot_roles` (the bot adds and removes guild roles; the
 * default), `linked_roles` (guildkit pushes each member's role connection metadata and the server's
 * Linked Roles requirements grant the roles), or `both`.
 */
export const roleDeliveryModeSchema = z.enum(["bot_roles", "linked_roles", "both"]);

/** See {@link roleDeliveryModeSchema}. */
export type RoleDeliveryMode = z.infer<typeof roleDeliveryModeSchema>;

/** True when the mode pushes role connections. */
export const usesLinkedRoles = (mode: RoleDeliveryMode): boolean => mode !== "bot_roles";
/** True when the mode has the bot add and remove guild roles. */
export const usesBotRoles = (mode: RoleDeliveryMode): boolean => mode !== "linked_roles";

/**
 * Runtime configuration of Linked Roles (module `linked_roles`), versioned and validated on save
 * like every module: the delivery mode, the metadata records (at most 5; each record's `source`
 * maps the entitlement rules to its value) and the platform name shown on profiles.
 *
 * @example
 * await createConfigLoader({ store, spec: linkedRolesConfigSpec }).save({
 *   mode: "both",
 *   records: [
 *     { key: "paying", name: "Paying member", description: "Has an active membership", type: 7, source: { kind: "paying" } },
 *     { key: "tier", name: "Tier", description: "Membership tier", type: 2, source: { kind: "tier", column: "tier", values: { gold: 3, silver: 2 } } },
 *   ],
 * });
 */
export const linkedRolesConfigSpec = defineConfigSpec({
  module: "linked_roles",
  fields: {
    mode: field(roleDeliveryModeSchema, {
      label: "Role delivery",
      section: "sync",
      default: "bot_roles",
      help: "bot_roles: the bot grants guild roles; linked_roles: members' role connection metadata, matched by the server's Linked Roles; both.",
    }),
    records: field(metadataRecordsSchema, {
      label: "Linked Roles metadata",
      section: "sync",
      help:
        'JSON list (at most 5) of {key, name, description, type 1–8, source}; source {"kind":"paying"} (boolean), ' +
        '{"kind":"tier","column":"tier","values":{"gold":3}} (integer), {"kind":"member_since","column":"paid_since"} (date). ' +
        "Unset: one boolean record, paying. Register with `guildkit linked-roles register`.",
    }),
    platform_name: field(z.string().trim().min(1).max(50), {
      label: "Platform name",
      section: "sync",
      help: "Shown on the member's profile beside the linked role (1–50 characters); unset: none.",
    }),
  },
});
