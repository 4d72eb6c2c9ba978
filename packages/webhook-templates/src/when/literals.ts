import { WhenClauseSyntaxError } from "../errors";
import { quoteIdentifier } from "../identifiers";
import type { ColumnRef } from "./ast";

const NUMBER_TEXT = /^-?[0-9]+(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?$/;
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/**
 * Checks a string before it becomes an SQL literal: no NUL (Postgres text cannot hold it, SQLite
 * cuts at it) and no lone surrogate (not encodable as UTF-8). The parser already refuses both; the
 * compilers check again so that a tree built by hand cannot carry them into SQL either.
 */
export function assertSqlString(value: string): string {
  if (value.includes("\u0000") || LONE_SURROGATE.test(value)) {
    throw new WhenClauseSyntaxError({
      position: 0,
      expected: "a string without NUL characters or lone surrogates",
      found: "an invalid string",
    });
  }
  return value;
}

/** Checks a number literal's text against the grammar before it goes into SQL. */
export function assertNumberText(text: string): string {
  if (!NUMBER_TEXT.test(text)) {
    throw new WhenClauseSyntaxError({
      position: 0,
      expected: "a number literal",
      found: JSON.stringify(text),
    });
  }
  return text;
}

/** `'…'` with quotes doubled: a literal both SQLite and Postgres (standard strings) read verbatim. */
export function standardString(value: string): string {
  return `'${assertSqlString(value).replaceAll("'", "''")}'`;
}

/**
 * A Postgres literal that reads the same whatever `standard_conforming_strings` says: plain `'…'`
 * when there is no backslash, else an escape string `E'…'` with backslashes doubled.
 */
export function postgresString(value: string): string {
  assertSqlString(value);
  if (!value.includes("\\")) return `'${value.replaceAll("'", "''")}'`;
  return `E'${value.replaceAll("\\", "\\\\").replaceAll("'", "''")}'`;
}

/** `NEW."column"` / `OLD."column"`, the column name checked as an identifier. */
export function columnSql(ref: ColumnRef): string {
  if (ref.row !== "NEW" && ref.row !== "OLD") {
    throw new WhenClauseSyntaxError({
      position: ref.position,
      expected: "NEW or OLD",
      found: String(ref.row),
    });
  }
  return `${ref.row}.${quoteIdentifier(ref.name, "column")}`;
}
