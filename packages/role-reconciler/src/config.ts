import { defineConfigSpec, field } from "@guildkit/config";
import { entitlementRulesSchema } from "./entitlement";

/**
 * Runtime configuration of role sync (module `role_sync`), kept in the database beside the
 * `discord` module, versioned and validated on save — bad rules are refused with every problem
 * named, and nothing is written. Read per use: a saved change applies at the next claim batch.
 *
 * `rules` unset means the default rule: a member with a non-empty `payment_status` holds the
 * `discord` module's `role_ids`.
 *
 * @example
 * // a tier column mapping to a role per tier, plus the paying role for everyone who pays
 * await createConfigLoader({ store, spec: roleSyncConfigSpec }).save({
 *   rules: [
 *     { kind: "present", column: "payment_status", roleIds: ["1200000000000000001"] },
 *     { kind: "map", column: "tier", values: { gold: ["1200000000000000002"], silver: ["1200000000000000003"] } },
 *   ],
 * });
 */
export const roleSyncConfigSpec = defineConfigSpec({
  module: "role_sync",
  fields: {
    rules: field(entitlementRulesSchema, {
      label: "Entitlement rules",
      section: "sync",
      help:
        "JSON list of rules; a member holds the union of the roles every rule grants. " +
        '`{"kind":"present","column":"payment_status","roleIds":["…"]}` grants roles when the column holds a value; ' +
        '`{"kind":"map","column":"tier","values":{"gold":["…"]}}` grants the roles of the column\'s value. ' +
        "Unset: a non-empty payment_status grants the Discord module's role ids.",
    }),
  },
});
