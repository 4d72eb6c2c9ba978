import type { ColumnType, Generated } from "kysely";

/**
 * Column value types of the reference schema, as the drivers deliver them on either dialect. Read
 * them through the codecs in `codec.ts` (`decodeTime`, `decodeJson`, `decodeId`, …).
 */

/** An auto-generated integer id: pg `bigint` (a string), SQLite `integer` (a number). */
export type IdColumn = Generated<string | number>;

/** A time: pg `timestamptz` (`Date`), SQLite ISO-8601 `text`. Write with `encodeTime`. */
export type TimeColumn = ColumnType<Date | string, Date | string, Date | string>;

/** A nullable time. */
export type NullableTimeColumn = ColumnType<
  Date | string | null,
  Date | string | null | undefined,
  Date | string | null
>;

/** A JSON value: pg `jsonb` (parsed), SQLite `text`. Write with `encodeJson`. */
export type JsonColumn = ColumnType<unknown, string, string>;

/** A blob: pg `bytea`, SQLite `blob`. */
export type BytesColumn = ColumnType<Uint8Array | null, Uint8Array | null | undefined, Uint8Array | null>;

/** A stored integer that may exceed 2^31: pg `bigint` (a string), SQLite `integer` (a number). */
export type BigIntColumn = ColumnType<
  string | number | null,
  string | number | null | undefined,
  string | number | null
>;
