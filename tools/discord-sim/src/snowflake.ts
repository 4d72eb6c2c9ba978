/** Discord's epoch (2015-01-01T00:00:00Z) in ms. */
export const DISCORD_EPOCH = 1420070400000;

const MAX_SNOWFLAKE = (1n << 64n) - 1n;

/** True when `value` is a decimal string that fits in 64 bits (what Discord accepts as a snowflake). */
export function isSnowflake(value: string): boolean {
  if (!/^\d{1,20}$/.test(value)) return false;
  return BigInt(value) <= MAX_SNOWFLAKE;
}

/** Epoch ms encoded in a snowflake. */
export function snowflakeTime(id: string): number {
  return Number(BigInt(id) >> 22n) + DISCORD_EPOCH;
}

/** Orders snowflake strings numerically without BigInt (no leading zeros assumed). */
export function compareSnowflakes(a: string, b: string): number {
  if (a.length !== b.length) return a.length - b.length;
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Creates a generator of increasing snowflakes stamped with the simulator's clock. */
export function createSnowflakes(now: () => number): {
  next(): string;
  bump(past: bigint): void;
  reset(): void;
} {
  let last = 0n;
  return {
    next() {
      const ms = BigInt(Math.max(0, Math.floor(now()) - DISCORD_EPOCH));
      let id = (ms << 22n) | (1n << 17n);
      if (id <= last) id = last + 1n;
      last = id;
      return id.toString();
    },
    bump(past) {
      if (past > last) last = past;
    },
    reset() {
      last = 0n;
    },
  };
}
