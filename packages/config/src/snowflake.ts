import { z } from "zod";

/** A Discord snowflake id as a decimal string (17 to 20 digits). */
export const snowflakeSchema = z
  .string({ error: "must be a Discord id (a string of 17 to 20 digits)" })
  .trim()
  .regex(/^\d{17,20}$/, "must be a Discord id (17 to 20 digits; enable Developer Mode and use Copy ID)");

/** Whether `value` is a Discord snowflake string. */
export function isSnowflake(value: unknown): value is string {
  return typeof value === "string" && /^\d{17,20}$/.test(value);
}
