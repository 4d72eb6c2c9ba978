import { sql } from "kysely";
import type { ChaosApp } from "./apps";
import type { ChaosWorld } from "./world";

/** The end state, read from the database and the simulator. */
export interface EndState {
  /** Members whose role in the guild disagrees with their payment_status. */
  wrongRoles: number;
  /** Webhook events neither delivered, nor dead-lettered, nor still held in the outbox. */
  lost: number;
  /** Events still in the outbox waiting for a retry (the schedule's next attempt is later). */
  pending: number;
  /** Messages delivered more than once (at-least-once: counted, not a failure). */
  duplicates: number;
  /** Dead-lettered events (each with a reason in the store). */
  dead: number;
  /** Hooks whose messages arrived out of `seq` order (first deliveries). */
  outOfOrder: number;
  /** The most requests any 1-second window saw on the bot's budget. */
  maxRpsAnySecond: number;
  /** The requests of that window (time, route, status), when it exceeds the budget. */
  busiestWindow: string[];
  /** The start (ISO second) of every 1-second window above the budget. */
  overBudgetSeconds: string[];
  /** 429s the simulator answered on a bucket (not injected): requests sent into an exhausted bucket. */
  intoExhaustedBucket: number;
  /** Unexpected process exits, plus lines reporting an unhandled error. */
  crashes: number;
}

/** The routes the workers' shared Discord budget covers (webhook executions have their own limits). */
const BUDGET_ROUTES = new Set(["get_member", "list_members", "member_role", "guild_roles", "get_guild"]);

/** The seconds in which some 1-second window held more than `limit` requests. */
function overBudget(times: number[], limit: number): string[] {
  const sorted = [...times].sort((a, b) => a - b);
  const seconds = new Set<string>();
  let left = 0;
  for (let right = 0; right < sorted.length; right++) {
    while (sorted[right]! - sorted[left]! >= 1000) left++;
    if (right - left + 1 > limit) seconds.add(new Date(sorted[left]!).toISOString().slice(0, 19));
  }
  return [...seconds];
}

/** The most requests in any half-open 1-second window, and where that window starts. */
function maxPerSecond(times: number[]): { max: number; at: number | null } {
  const sorted = [...times].sort((a, b) => a - b);
  let best = 0;
  let at: number | null = null;
  let left = 0;
  for (let right = 0; right < sorted.length; right++) {
    while (sorted[right]! - sorted[left]! >= 1000) left++;
    if (right - left + 1 > best) {
      best = right - left + 1;
      at = sorted[left]!;
    }
  }
  return { max: best, at };
}

/** The linked members whose role in the guild disagrees with their payment_status (id, Discord id). */
async function wrongMembers(world: ChaosWorld): Promise<{ id: string; userId: string }[]> {
  const rows = await sql<{ id: string | number; discord_user_id: string; payment_status: string | null }>`
    select id, discord_user_id, payment_status from members where discord_user_id is not null`.execute(
    world.store.kysely,
  );
  return rows.rows
    .filter((row) => {
      const holds =
        world.sim.inspect.member(world.guildId, row.discord_user_id)?.roles.includes(world.roleId) ?? false;
      return holds !== (row.payment_status !== null && row.payment_status !== "");
    })
    .map((row) => ({ id: String(row.id), userId: row.discord_user_id }));
}

export async function wrongRoles(world: ChaosWorld): Promise<number> {
  return (await wrongMembers(world)).length;
}

/** Up to `limit` members whose role is wrong, with what the store holds about them (for the report). */
export async function wrongRoleDetails(world: ChaosWorld, limit = 5): Promise<string[]> {
  const wrong = (await wrongMembers(world)).slice(0, limit);
  if (wrong.length === 0) return [];
  const rows = await sql<Record<string, unknown>>`
    select m.id, m.discord_user_id, m.payment_status, s.state, s.dirty, s.attempts, s.next_due_at,
      s.last_error, s.lease_owner, s.lease_expires_at, s.checked_at,
      (select count(*) from role_grants g where g.member_id = cast(m.id as text)) as grants
    from members m left join role_sync_state s on cast(s.member_id as text) = cast(m.id as text)
    where cast(m.id as text) in (${sql.join(wrong.map((w) => w.id))})`.execute(world.store.kysely);
  return rows.rows.map((row) =>
    JSON.stringify({ ...row, holds: !(row.payment_status !== null && row.payment_status !== "") }, (_k, v) =>
      v instanceof Date ? v.toISOString() : v,
    ),
  );
}

/** Webhook events written, delivered (by content), pending, dead. */
export async function webhookState(world: ChaosWorld) {
  const rows = await sql<{ hook: number; seq: number }>`select hook, seq from chaos_events`.execute(
    world.store.kysely,
  );
  const byState = await world.store.webhooks.countByState();
  let delivered = 0;
  let duplicates = 0;
  let outOfOrder = 0;
  const written = new Map<number, Set<number>>();
  for (const r of rows.rows) {
    if (!written.has(r.hook)) written.set(r.hook, new Set());
    written.get(r.hook)!.add(r.seq);
  }
  for (const hook of world.hooks) {
    const seen = new Set<number>();
    let last = 0;
    let ordered = true;
    for (const m of world.sim.inspect.messages(hook.id)) {
      const seq = Number(m.content.split(":")[1]);
      if (seen.has(seq)) {
        duplicates += 1;
        continue;
      }
      seen.add(seq);
      if (seq < last) ordered = false;
      last = Math.max(last, seq);
    }
    if (!ordered) outOfOrder += 1;
    for (const seq of written.get(hook.index) ?? []) if (seen.has(seq)) delivered += 1;
  }
  const dead = (byState as Record<string, number>).dead ?? 0;
  const pending = Object.entries(byState as Record<string, number>)
    .filter(([state]) => state !== "dead" && state !== "delivered")
    .reduce((n, [, v]) => n + v, 0);
  return { written: rows.rows.length, delivered, duplicates, outOfOrder, dead, pending };
}

export async function endState(world: ChaosWorld, apps: ChaosApp[], budgetRps: number): Promise<EndState> {
  const hooks = await webhookState(world);
  const requests = world.sim.inspect.requests().filter((r) => BUDGET_ROUTES.has(r.route));
  const busiest = maxPerSecond(requests.map((r) => r.at));
  const crashLines = apps
    .flatMap((a) => a.lines)
    .filter((l) => /Unhandled|unhandledRejection|uncaughtException/.test(l));
  return {
    wrongRoles: await wrongRoles(world),
    lost: Math.max(0, hooks.written - hooks.delivered - hooks.dead - hooks.pending),
    pending: hooks.pending,
    duplicates: hooks.duplicates,
    dead: hooks.dead,
    outOfOrder: hooks.outOfOrder,
    maxRpsAnySecond: busiest.max,
    overBudgetSeconds: overBudget(
      requests.map((r) => r.at),
      budgetRps,
    ),
    busiestWindow:
      busiest.at === null || busiest.max <= budgetRps
        ? []
        : requests
            .filter((r) => r.at >= busiest.at! && r.at < busiest.at! + 1000)
            .map(
              (r) =>
                `${new Date(r.at).toISOString()} ${r.method} ${r.route} ${r.status}${r.injected ? " (injected)" : ""}`,
            ),
    intoExhaustedBucket: requests.filter((r) => r.status === 429 && !r.injected && r.scope !== "global")
      .length,
    crashes: apps.reduce((n, a) => n + a.crashes, 0) + crashLines.length,
  };
}
