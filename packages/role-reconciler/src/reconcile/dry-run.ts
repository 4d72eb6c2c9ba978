import type { GuildSnapshot } from "../bulk";
import { managedRoles, ruleColumns } from "../entitlement";
import { classifyDiscordError } from "../errors";
import { type MemberAccounts, memberAccounts, type PlannedRoleChange, planAccount } from "../plan";
import type { GuildGateway, SyncEntry } from "../ports";
import { type BatchContext, type Engine, groupLinked } from "./engine";
import type { RoleSyncSettings } from "./options";
import { linkedFor } from "./process-item";
import { DRY_RUN_READ_EFFECTS, readMember } from "./read-member";
import type { ModeChoice } from "./round";
import type { SnapshotCache } from "./snapshot-cache";
import { emptySummary } from "./summary";

/** A role change the dry run would make. */
export interface PlannedChange {
  discordUserId: string;
  roleId: string;
  memberIds: string[];
  reason: string;
}

/** The dry-run plan of a full reconciliation. */
export interface ReconcilePlan {
  generatedAt: Date;
  /** How Discord was read. */
  mode: "bulk" | "per_member";
  /** Members looked at. */
  checked: number;
  gains: PlannedChange[];
  losses: PlannedChange[];
  /** Roles kept for the grace period: "loses `roleId` on `until`" (the member is due again then). */
  graces: (PlannedChange & { since: Date; until: Date })[];
  /** Members who would be kicked on lapse (`onLapse: "kick"`), with the roles they hold. */
  kicks: (Omit<PlannedChange, "roleId"> & { roleIds: string[] })[];
  /** Roles left alone: held without entitlement, but not granted by guildkit ("managed grants only"). */
  leftAlone: PlannedChange[];
  notInGuild: { memberId: string; discordUserId: string }[];
  /** Members whose Discord state could not be read, or whose change is blocked. */
  errors: { memberId: string; discordUserId: string | null; reason: string }[];
  discordCalls: number;
}

/** Options of a dry run. */
export interface PlanOptions {
  settings: RoleSyncSettings;
  gateway: GuildGateway;
  signal?: AbortSignal;
  mode?: ModeChoice;
  onProgress?: (checked: number) => void;
}

/** Merges a planned change into the plan's list (one entry per account and role). */
function collect(into: Map<string, PlannedChange>, change: PlannedRoleChange): void {
  const key = `${change.discordUserId}:${change.roleId}`;
  const existing = into.get(key);
  if (existing) {
    for (const id of change.memberIds) if (!existing.memberIds.includes(id)) existing.memberIds.push(id);
    return;
  }
  into.set(key, {
    discordUserId: change.discordUserId,
    roleId: change.roleId,
    memberIds: [...change.memberIds],
    reason: change.reason,
  });
}

/**
 * A listing for the dry run: never the live rounds' cached one, never kept; `null` (read members
 * one by one) when the listing fails. Nothing is logged and no block is recorded.
 */
async function dryRunSnapshot(
  cache: SnapshotCache,
  ctx: Omit<BatchContext, "snapshot">,
  signal: AbortSignal | undefined,
): Promise<GuildSnapshot | null> {
  const { guildId } = ctx.settings;
  try {
    const maxPages = Number.POSITIVE_INFINITY;
    return await cache.list({ gateway: ctx.gateway, guildId, maxPages, summary: ctx.summary }, signal);
  } catch (error) {
    ctx.summary.discordCalls += 1;
    if (classifyDiscordError(error, { operation: "list_members", guildId }).kind === "aborted") throw error;
    return null;
  }
}

/** The accumulating result of a dry run. */
interface PlanState {
  result: ReconcilePlan;
  gains: Map<string, PlannedChange>;
  losses: Map<string, PlannedChange>;
}

/** Plans one member's accounts into `state`. */
async function planEntry(
  engine: Engine,
  ctx: BatchContext,
  input: { entry: SyncEntry; accounts: MemberAccounts; linkedByAccount: ReturnType<typeof groupLinked> },
  state: PlanState,
): Promise<void> {
  const { entry, accounts, linkedByAccount } = input;
  const { result } = state;
  const targets: [string, "current" | "previous", Set<string>][] = [];
  if (accounts.current) targets.push([accounts.current, "current", accounts.currentGrants]);
  for (const [id, roles] of accounts.previous) targets.push([id, "previous", roles]);
  for (const [account, relation, ownGrants] of targets) {
    const read = await readMember(
      engine,
      ctx,
      DRY_RUN_READ_EFFECTS,
      { entry, discordUserId: account },
      ctx.hard,
    );
    if (!read.ok) {
      result.errors.push({ memberId: entry.memberId, discordUserId: account, reason: read.reason });
      continue;
    }
    if (read.view === null) {
      if (relation === "current")
        result.notInGuild.push({ memberId: entry.memberId, discordUserId: account });
      continue;
    }
    const accountPlan = planAccount({
      rules: ctx.settings.rules,
      managed: ctx.managed,
      memberId: entry.memberId,
      discordUserId: account,
      relation,
      cause: accounts.cause,
      linked: linkedFor(linkedByAccount, account, relation === "current" ? entry : null),
      ownGrants,
      ownDetails: accounts.details.get(account),
      held: read.view.roles,
      now: engine.clock.now(),
      lifecycle: ctx.settings.lifecycle,
    });
    for (const change of accountPlan.add) collect(state.gains, change);
    for (const change of accountPlan.remove) collect(state.losses, change);
    for (const grace of accountPlan.graced) result.graces.push({ ...grace, memberIds: [...grace.memberIds] });
    for (const left of accountPlan.leftAlone)
      result.leftAlone.push({ ...left, memberIds: [...left.memberIds] });
    if (accountPlan.kick) {
      const { discordUserId, memberIds, roleIds, reason } = accountPlan.kick;
      result.kicks.push({ discordUserId, memberIds: [...memberIds], roleIds: [...roleIds], reason });
    }
    for (const change of [...accountPlan.add, ...accountPlan.remove]) {
      const block = engine.blocks.active({ kind: "role", roleId: change.roleId }, engine.clock.now());
      if (block)
        result.errors.push({ memberId: entry.memberId, discordUserId: account, reason: block.reason });
    }
  }
}

/** Plans one page of sync rows. */
async function planPage(
  engine: Engine,
  ctx: BatchContext,
  page: SyncEntry[],
  state: PlanState,
): Promise<void> {
  const hard = ctx.hard;
  const columns = ruleColumns(ctx.settings.rules);
  const grants = await engine.ledger.list({ memberIds: page.map((e) => e.memberId) }, { signal: hard });
  const accountIds = new Set<string>();
  const accountsOf = page.map((entry) => {
    const accounts = memberAccounts(entry, grants);
    if (accounts.current) accountIds.add(accounts.current);
    for (const id of accounts.previous.keys()) accountIds.add(id);
    return accounts;
  });
  const linked =
    accountIds.size > 0
      ? await engine.members.findByDiscordIds({ discordUserIds: [...accountIds], columns }, { signal: hard })
      : [];
  const linkedByAccount = groupLinked(linked);
  for (let i = 0; i < page.length; i += 1) {
    const entry = { ...page[i]!, dirty: false };
    const accounts = accountsOf[i]!;
    if (accounts.current === null && accounts.previous.size === 0) continue;
    state.result.checked += 1;
    await planEntry(engine, ctx, { entry, accounts, linkedByAccount }, state);
  }
}

/**
 * The dry run: what a full reconciliation would change, without claiming, changing, logging or
 * blocking anything — gains, losses, kicks, roles kept for a grace period (with the day they go)
 * and roles left alone. Reads every sync row page by page (`SyncQueue.scan`), the guild in bulk
 * unless `per_member` is asked for or bulk listing is blocked.
 */
export async function planFullReconciliation(
  engine: Engine,
  cache: SnapshotCache,
  run: PlanOptions,
): Promise<ReconcilePlan> {
  const { settings, gateway } = run;
  const hard = run.signal;
  const columns = ruleColumns(settings.rules);
  const summary = emptySummary();
  const base = { settings, gateway, managed: managedRoles(settings.rules), summary, hard };
  const result: ReconcilePlan = {
    generatedAt: engine.clock.now(),
    mode: "per_member",
    checked: 0,
    gains: [],
    losses: [],
    graces: [],
    kicks: [],
    leftAlone: [],
    notInGuild: [],
    errors: [],
    discordCalls: 0,
  };
  let snapshot: GuildSnapshot | null = null;
  if (run.mode !== "per_member" && engine.blocks.active({ kind: "bulk" }, engine.clock.now()) === null) {
    snapshot = await dryRunSnapshot(cache, base, hard);
  }
  if (snapshot) result.mode = "bulk";
  const ctx: BatchContext = { ...base, snapshot };
  const state: PlanState = { result, gains: new Map(), losses: new Map() };
  let after: string | null = null;
  for (;;) {
    const page: SyncEntry[] = await engine.queue.scan({ after, limit: 500, columns }, { signal: hard });
    if (page.length === 0) break;
    after = page[page.length - 1]!.memberId;
    await planPage(engine, ctx, page, state);
    run.onProgress?.(result.checked);
  }
  result.gains = [...state.gains.values()];
  result.losses = [...state.losses.values()];
  result.discordCalls = summary.discordCalls;
  return result;
}
