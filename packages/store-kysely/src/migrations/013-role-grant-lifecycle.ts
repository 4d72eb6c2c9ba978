import { addColumnIfMissing, columnTypes } from "./ddl";
import { defineMigration } from "./types";

/**
 * The membership lifecycle on the grant ledger: `role_grants.origin` (`granted` when guildkit added
 * the role, `adopted` when the account held it already; "managed grants only" removes only
 * `granted` roles) and `role_grants.lapsed_at` (when the member's entitlement ended and its grace
 * period started). Both nullable: rows recorded before are `granted` (the seed system's rule was
 * "paid ⇔ role") and not lapsed. Idempotent; no table created.
 */
export const roleGrantLifecycle = defineMigration({
  name: "013-role-grant-lifecycle",
  feature: "role-sync",
  tables: [],
  async up(db, { dialect }) {
    await addColumnIfMissing(db, dialect, "role_grants", "origin", "text");
    await addColumnIfMissing(db, dialect, "role_grants", "lapsed_at", columnTypes(dialect).timestamp);
  },
});
