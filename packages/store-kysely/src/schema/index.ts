import type { FoundationTables } from "./foundation";

export * from "./columns";
export * from "./foundation";

/**
 * The kysely `Database` type of the reference schema: one `…Tables` interface per feature,
 * declared in `schema/<feature>.ts`. A feature adds its interface to the `extends` list below
 * (one edit) and `export *` of its file above.
 */
export interface Database extends FoundationTables {}
