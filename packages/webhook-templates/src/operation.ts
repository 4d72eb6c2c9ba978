/** The data change a webhook fires on. */
export type Operation = "INSERT" | "UPDATE" | "DELETE";

/** Every {@link Operation}, in the order the admin UI lists them. */
export const OPERATIONS: readonly Operation[] = ["INSERT", "UPDATE", "DELETE"];

/** Which row images an operation has: INSERT only NEW, DELETE only OLD, UPDATE both. */
export function rowsOf(operation: Operation): { old: boolean; new: boolean } {
  return { old: operation !== "INSERT", new: operation !== "DELETE" };
}

/** The row image a bare `{column}` placeholder reads: the old row for DELETE, the new one otherwise. */
export function defaultRow(operation: Operation): "old" | "new" {
  return operation === "DELETE" ? "old" : "new";
}
