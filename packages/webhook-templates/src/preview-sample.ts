import type { DefinitionIssue } from "./errors";

/**
 * How big a preview's sample row may be. A sample comes from an admin's request (or the table's
 * newest row); rendering stops at `RENDER_CAP` code units whatever its values, and these
 * bound the rest of the work — walking it, evaluating the WHEN condition, echoing it back.
 */
export const PREVIEW_SAMPLE_LIMITS = {
  /** Columns per row image: more than either database lets a table have (Postgres 1,600, SQLite 2,000). */
  maxColumns: 2000,
  /** Nesting of JSON values inside a column (`{"a":{"b":…}}`), counted from the row. */
  maxDepth: 32,
  /** Values in a row image, nested ones included. */
  maxValues: 20_000,
} as const;

/**
 * Checks a preview sample against {@link PREVIEW_SAMPLE_LIMITS}: `[]` when it is within them, else
 * one issue at `[field]` (`sample` or `old`) saying which limit it passes. Stops at the first limit
 * passed, so the work is bounded by the limits, not by the sample.
 */
export function checkPreviewSample(row: unknown, field: "sample" | "old"): DefinitionIssue[] {
  if (row === null || typeof row !== "object") return [];
  const { maxColumns, maxDepth, maxValues } = PREVIEW_SAMPLE_LIMITS;
  const issue = (code: string, message: string): DefinitionIssue[] => [{ path: [field], code, message }];
  let columns = 0;
  for (const _ in row) {
    if (++columns > maxColumns) {
      return issue("sample_too_wide", `${field} has more than ${maxColumns} columns; send fewer`);
    }
  }
  const stack: [value: unknown, depth: number][] = [[row, 0]];
  let values = 0;
  while (stack.length > 0) {
    const [value, depth] = stack.pop() as [unknown, number];
    if (value === null || typeof value !== "object") continue;
    if (depth > maxDepth) {
      return issue("sample_too_deep", `${field} nests values more than ${maxDepth} levels deep`);
    }
    for (const key in value) {
      if (++values > maxValues) {
        return issue("sample_too_large", `${field} holds more than ${maxValues} values; send a smaller row`);
      }
      stack.push([(value as Record<string, unknown>)[key], depth + 1]);
    }
  }
  return [];
}
