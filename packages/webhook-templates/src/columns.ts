/**
 * A column of the watched table, as the store reads it from the catalog: its name and, when known,
 * its declared type (`INTEGER`, `text`, `character varying(255)`, `boolean`, …). A bare string is a
 * column of unknown type.
 */
export type TableColumn = string | { name: string; type?: string | null };

/**
 * What a column holds, as far as comparisons are concerned:
 * - `text`, `number`, `boolean`;
 * - `temporal`: a date or timestamp (`date`, `timestamp`, `timestamptz`, `datetime`, …), compared
 *   with ISO-8601 strings;
 * - `uuid`, compared with UUID strings;
 * - `json` (`json`, `jsonb`): only tested for NULL;
 * - `other`: everything whose comparisons guildkit does not check (times of day, intervals, arrays,
 *   enums, unknown types).
 */
export type ColumnKind = "text" | "number" | "boolean" | "temporal" | "uuid" | "json" | "other";

const TEXT_TYPES = new Set([
  "text",
  "varchar",
  "character varying",
  "char",
  "character",
  "nchar",
  "nvarchar",
  "native character",
  "varying character",
  "clob",
  "citext",
  "string",
]);

const NUMBER_TYPES = new Set([
  "integer",
  "int",
  "int2",
  "int4",
  "int8",
  "smallint",
  "bigint",
  "tinyint",
  "mediumint",
  "unsigned big int",
  "numeric",
  "decimal",
  "real",
  "double",
  "double precision",
  "float",
  "float4",
  "float8",
  "serial",
  "bigserial",
  "smallserial",
]);

const TEMPORAL_TYPES = new Set([
  "date",
  "datetime",
  "timestamp",
  "timestamptz",
  "timestamp with time zone",
  "timestamp without time zone",
]);

/** Classifies a declared column type (SQLite or Postgres spelling) into a {@link ColumnKind}. */
export function columnKind(type: string | null | undefined): ColumnKind {
  if (type == null) return "other";
  const base = type
    .toLowerCase()
    .replace(/\(.*\)/s, "")
    .replace(/\s+/g, " ")
    .trim();
  if (base === "boolean" || base === "bool") return "boolean";
  if (TEXT_TYPES.has(base)) return "text";
  if (NUMBER_TYPES.has(base)) return "number";
  if (TEMPORAL_TYPES.has(base)) return "temporal";
  if (base === "uuid") return "uuid";
  if (base === "json" || base === "jsonb") return "json";
  return "other";
}

/** One column, normalised. */
export interface ColumnInfo {
  name: string;
  kind: ColumnKind;
}

/** Normalises a column list (strings or `{ name, type }`) into {@link ColumnInfo}s. */
export function normalizeColumns(columns: readonly TableColumn[]): ColumnInfo[] {
  return columns.map((c) =>
    typeof c === "string" ? { name: c, kind: "other" } : { name: c.name, kind: columnKind(c.type) },
  );
}

/**
 * Finds `name` among `columns`: the exact name first, else the one column equal to it ignoring case
 * (SQL identifiers are case-insensitive in both databases unless quoted differently). Returns the
 * column as the table spells it, or `null`.
 */
export function resolveColumn(columns: readonly ColumnInfo[], name: string): ColumnInfo | null {
  const exact = columns.find((c) => c.name === name);
  if (exact) return exact;
  const lower = name.toLowerCase();
  const folded = columns.filter((c) => c.name.toLowerCase() === lower);
  return folded.length === 1 ? (folded[0] ?? null) : null;
}

/** The column name closest to `name` (edit distance ≤ 2, or a case-insensitive prefix), or `null`. */
export function suggestColumn(columns: readonly ColumnInfo[], name: string): string | null {
  let best: string | null = null;
  let bestDistance = 3;
  const lower = name.toLowerCase();
  for (const c of columns) {
    const d = editDistance(lower, c.name.toLowerCase());
    if (d < bestDistance) {
      best = c.name;
      bestDistance = d;
    }
  }
  return best;
}

function editDistance(a: string, b: string): number {
  if (Math.abs(a.length - b.length) > 2) return 3;
  let prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      cur[j] = Math.min((prev[j] ?? 0) + 1, (cur[j - 1] ?? 0) + 1, (prev[j - 1] ?? 0) + cost);
    }
    prev = cur;
  }
  return prev[b.length] ?? 3;
}

/** `a, b, c` for messages, shortened after 40 names. */
export function listColumns(columns: readonly ColumnInfo[]): string {
  const names = columns.map((c) => c.name);
  return names.length > 40
    ? `${names.slice(0, 40).join(", ")}, … (${names.length} in all)`
    : names.join(", ");
}
