import { z } from "zod";
import { DiscordSimError } from "./errors";
import { createPrng } from "./prng";
import type { SimFault, SimRouteKey } from "./types";

/** Default PRNG seed for fault injection. */
export const DEFAULT_RANDOM_SEED = 0x5eed;

const routeKeys = [
  "get_member",
  "list_members",
  "member_role",
  "guild_roles",
  "channel_webhooks",
  "execute_webhook",
  "get_webhook",
  "webhook_message",
  "users_me",
  "oauth_token",
  "cdn",
  "pk_message",
  "get_guild",
  "add_member",
  "remove_member",
  "get_application",
  "role_connection_metadata",
  "role_connection",
] as const satisfies readonly SimRouteKey[];

/** zod schema of a route key (used by the `/_sim` API). */
export const routeKeySchema = z.enum(routeKeys);

/** zod schema of a fault (used by `faults.set` and `POST /_sim/faults`). */
export const faultSchema = z.object({
  route: z.union([routeKeySchema, z.literal("*")]),
  errorRate: z.number().min(0).max(1).optional(),
  latencyMs: z.number().int().min(0).max(600_000).optional(),
  dropRate: z.number().min(0).max(1).optional(),
  force429: z
    .object({
      count: z.number().int().min(0),
      retryAfterMs: z.number().min(0),
      global: z.boolean().optional(),
      scope: z.enum(["user", "shared"]).optional(),
    })
    .optional(),
  errorStatuses: z.array(z.number().int().min(500).max(599)).min(1).optional(),
});

/** What to do to one request. */
export interface FaultDecision {
  latencyMs: number;
  drop: boolean;
  errorStatus: number | null;
  force429: { retryAfterMs: number; global: boolean; scope: "user" | "shared" } | null;
}

const NONE: FaultDecision = { latencyMs: 0, drop: false, errorStatus: null, force429: null };

/** The fault registry: one fault per route key (or "*"), decided with a seedable PRNG. */
export function createFaultRegistry(seed: number): {
  set(fault: SimFault): void;
  clear(): void;
  decide(route: SimRouteKey): FaultDecision;
  reset(): void;
} {
  let random = createPrng(seed);
  const faults = new Map<SimRouteKey | "*", SimFault>();

  const pick = <K extends keyof SimFault>(
    key: K,
    specific?: SimFault,
    star?: SimFault,
  ): SimFault[K] | undefined => (specific?.[key] !== undefined ? specific[key] : star?.[key]);

  return {
    set(fault) {
      const parsed = faultSchema.safeParse(fault);
      if (!parsed.success) {
        throw new DiscordSimError("invalid_fault", `invalid fault: ${z.prettifyError(parsed.error)}`);
      }
      faults.set(parsed.data.route, {
        ...parsed.data,
        force429: parsed.data.force429 && { ...parsed.data.force429 },
      });
    },
    clear() {
      faults.clear();
    },
    decide(route) {
      const specific = faults.get(route);
      const star = faults.get("*");
      if (!specific && !star) return NONE;
      const decision: FaultDecision = { ...NONE };
      decision.latencyMs = pick("latencyMs", specific, star) ?? 0;
      const dropRate = pick("dropRate", specific, star) ?? 0;
      if (dropRate > 0 && random() < dropRate) {
        decision.drop = true;
        return decision;
      }
      const errorRate = pick("errorRate", specific, star) ?? 0;
      if (errorRate > 0 && random() < errorRate) {
        const statuses = pick("errorStatuses", specific, star) ?? [500, 502, 503];
        decision.errorStatus = statuses[Math.floor(random() * statuses.length)] ?? 500;
        return decision;
      }
      for (const fault of [specific, star]) {
        const forced = fault?.force429;
        if (forced && forced.count > 0) {
          forced.count -= 1;
          decision.force429 = {
            retryAfterMs: forced.retryAfterMs,
            global: forced.global ?? false,
            scope: forced.scope ?? "user",
          };
          break;
        }
      }
      return decision;
    },
    reset() {
      faults.clear();
      random = createPrng(seed);
    },
  };
}
