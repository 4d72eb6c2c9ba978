/** `2015-04-26T06:26:56.936000+00:00`, the way Discord writes timestamps. */
export function discordTimestamp(ms: number): string {
  return new Date(ms).toISOString().replace(/\.(\d{3})Z$/, ".$1000+00:00");
}

/** Normalises any ISO-8601 timestamp to Discord's form; unparsable input is returned unchanged. */
export function normaliseDiscordTimestamp(value: string): string {
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? value : discordTimestamp(ms);
}

/** `2026-11-23T12:00:00Z`: PluralKit's message timestamp (no fractional seconds). */
export function pluralkitTimestamp(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");
}

/** Seconds with up to three decimals, as in `X-RateLimit-Reset-After`. */
export function seconds(ms: number): string {
  return (Math.max(0, ms) / 1000).toFixed(3);
}
