import type { Problem } from "./setting-values";

/**
 * The bot's Discord request budget, shared by every worker through Redis (`REDIS_URL`). `null`
 * keeps the worker's default.
 */
export interface BudgetSettings {
  /**
   * `DISCORD_RPS`: requests per second the bot's role-sync calls may make, across every worker on
   * one Redis (0.1 to 50, Discord's global limit). `null`: 3.
   */
  discordRps: number | null;
  /**
   * `DISCORD_FALLBACK_RPS`: requests per second each worker sends on a budget of its own while Redis
   * does not answer (0.1 up to `DISCORD_RPS`). A worker may then start ⌈fallback⌉ requests in one
   * second: keep ⌈fallback⌉ × workers ≤ `DISCORD_RPS`, so that every worker falling back at once
   * still keeps to the budget. `null`: 1.
   */
  discordFallbackRps: number | null;
}

const RATE = /^\d+(\.\d+)?$/;

/** Reads `DISCORD_RPS` and `DISCORD_FALLBACK_RPS` (see {@link BudgetSettings}). */
export function parseBudgetSettings(get: (name: string) => string | null, problem: Problem): BudgetSettings {
  const rate = (name: string, max: number): number | null => {
    const text = get(name);
    if (text === null) return null;
    const value = RATE.test(text) ? Number(text) : Number.NaN;
    if (value >= 0.1 && value <= max) return value;
    problem(name, `${name} must be requests per second from 0.1 to ${max}, e.g. ${name}=3 (got "${text}")`);
    return null;
  };
  const discordRps = rate("DISCORD_RPS", 50);
  const discordFallbackRps = rate("DISCORD_FALLBACK_RPS", discordRps ?? 50);
  return { discordRps, discordFallbackRps };
}
