import { defineConfigSpec, field } from "@guildkit/config";
import { z } from "zod";
import { entitlementRulesSchema } from "./entitlement";

/**
 * Runtime configuration of role sync (module `role_sync`), kept in the database beside the
 * `discord` module, versioned and validated on save — bad rules are refused with every problem
 * named, and nothing is written. Read per use: a saved change applies at the next claim batch.
 *
 * `rules` unset means the default rule: a member with a non-empty `payment_status` holds the
 * `discord` module's `role_ids`. The membership lifecycle has its own keys: `grace_period_hours`
 * (default 0), `on_lapse` (`remove`, the default, or `kick`) and `managed_grants_only` (default
 * false: "paid ⇔ role").
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
        "Unset: a non-empty payment_status grants the Discord module's role ids. " +
        'A rule may add `"trial":{"values":["trialing"],"roleIds":["…"]}`: members on trial get those roles instead.',
    }),
    grace_period_hours: field(
      z.coerce
        .number({ error: "must be a whole number of hours between 0 and 2160" })
        .int("must be a whole number of hours between 0 and 2160")
        .min(0, "must be a whole number of hours between 0 and 2160")
        .max(2160, "must be a whole number of hours between 0 and 2160"),
      {
        label: "Grace period (hours)",
        section: "sync",
        default: 0,
        help: "How long a member whose entitlement ended keeps its roles (e.g. 72 for a failed payment); 0 removes them at once.",
      },
    ),
    on_lapse: field(z.enum(["remove", "kick"], { error: 'must be "remove" or "kick"' }), {
      label: "On lapse",
      section: "sync",
      default: "remove" as const,
      help: '"remove" takes the roles away when the entitlement ends (after the grace period); "kick" removes the member from the guild instead (the bot needs Kick Members).',
    }),
    managed_grants_only: field(
      z.preprocess(
        (value) => (value === "true" ? true : value === "false" ? false : value),
        z.boolean({ error: 'must be "true" or "false"' }),
      ),
      {
        label: "Managed grants only",
        section: "sync",
        default: false,
        help: "true: only roles guildkit granted are ever removed (a role given by hand stays); false: a managed role is held exactly while the member is entitled.",
      },
    ),
  },
});
