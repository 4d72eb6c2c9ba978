import { type BackoffPolicy, backoffDelayMs, DEFAULT_BACKOFF } from "./backoff";
import { type Block, type BlockScope, createBlockList } from "./blocks";
import { type GuildSnapshot, listGuildSnapshot, type MemberView, toMemberView } from "./bulk";
import { canStart, claimBatchSize, leaseSignal } from "./claim";
import { chooseMode, GUILD_PAGE_SIZE, type ModeDecision } from "./cost";
import { type EntitlementRule, managedRoles, ruleColumns } from "./entitlement";
import {
  classifyDiscordError,
  type DiscordOperation,
  type ErrorVerdict,
  isAbortError,
  readErrorFields,
} from "./errors";
import {
  type AccountPlan,
  type MemberAccounts,
  memberAccounts,
  type PlannedRoleChange,
  planAccount,
} from "./plan";
import type {
  Clock,
  EventLog,
  EventLogEntry,
  Grant,
  GrantLedger,
  GuildGateway,
  LinkedMember,
  LinkedMembers,
  MemberProfiles,
  Scheduler,
  SyncEntry,
  SyncItem,
  SyncOutcome,
  SyncQueue,
  SyncState,
} from "./ports";
import { planProfile } from "./profile";
import { bulkLookaheadMs, nextRecheckAt } from "./schedule";

/** The settings one run works with (loaded per run, so a change needs no restart). */
export interface RoleSyncSettings {
  guildId: string;
  /** Validated rules (see `resolveRules`). */
  rules: readonly EntitlementRule[];
  /** Full-reconciliation interval (see `syncIntervalMs`). */
  syncIntervalMs: number;
}

/** Tuning of the reconciler; every field has a default. */
export interface ReconcilerOptions {
  /** Lease taken on each claimed member (default 60 s). A crashed worker delays a member by this much. */
  leaseMs: number;
  /** A member is only started with at least this much lease left (default 15 s); otherwise released. */
  leaseGuardMs: number;
  /** Calls for a member are aborted this long before its lease ends (default 2 s). */
  leaseSafetyMs: number;
  /** Members claimed at once in per-member mode (default 10). */
  perMemberBatch: number;
  /** Most members claimed at once in bulk mode (default 500; fewer when changes are slow). */
  bulkBatch: number;
  /** Members per List Guild Members page (default 1,000, Discord's maximum). */
  pageSize: number;
  /** Backoff of transient failures (default 300 s × 2^(attempt−1), capped at 86,400 s, 20 % jitter). */
  backoff: BackoffPolicy;
  /**
   * A guild listing is reused for this long (default 1 h): members changed since are re-read one by
   * one, so only a manual role edit made in Discord meanwhile waits for the next pass.
   */
  snapshotMaxAgeMs: number;
  /** How long a permanent failure blocks its role/guild before one probe call (default 15 min). */
  probeMs: number;
}

/** Defaults of {@link ReconcilerOptions}. */
export const DEFAULT_RECONCILER_OPTIONS: Readonly<ReconcilerOptions> = Object.freeze({
  leaseMs: 60_000,
  leaseGuardMs: 15_000,
  leaseSafetyMs: 2_000,
  perMemberBatch: 10,
  bulkBatch: 500,
  pageSize: GUILD_PAGE_SIZE,
  backoff: DEFAULT_BACKOFF,
  snapshotMaxAgeMs: 3_600_000,
  probeMs: 900_000,
});

/** What the reconciler is built from. */
export interface RoleReconcilerDeps {
  queue: SyncQueue;
  ledger: GrantLedger;
  members: LinkedMembers;
  profiles: MemberProfiles;
  eventLog: EventLog;
  clock: Clock;
  scheduler: Scheduler;
  /** Lease owner: a unique id for this worker. */
  owner: string;
  /** Random source for jitter (default `Math.random`). */
  random?: () => number;
  options?: Partial<ReconcilerOptions>;
}

/** How a run picks its mode: by cost (`auto`, default) or forced. */
export type ModeChoice = "auto" | "bulk" | "per_member";

/** Options of one run. */
export interface RunOptions {
  settings: RoleSyncSettings;
  gateway: GuildGateway;
  /** Soft stop (SIGTERM): finish the member in hand, release the rest, return. */
  stop?: AbortSignal;
  /** Hard stop: abort the calls in flight; the member in hand is released, not recorded. */
  signal?: AbortSignal;
  /** Called after each member (progress bars). */
  onMember?: (result: MemberResult) => void;
  mode?: ModeChoice;
}

/** What happened to one member. */
export interface MemberResult {
  memberId: string;
  /** The recorded state, or `released` (not processed: stopping, lease too short, guild blocked). */
  state: SyncState | "released";
  added: number;
  removed: number;
  /** Reason of the failure, if any. */
  error: string | null;
}

/** Counters of one run. */
export interface RunSummary {
  mode: "bulk" | "per_member" | "none";
  decision: ModeDecision | null;
  /** Members due when the run started. */
  due: number;
  claimed: number;
  /** Members whose outcome was recorded. */
  processed: number;
  /** Members released without an outcome. */
  released: number;
  /** Outcomes not recorded because the lease had been lost. */
  leaseLost: number;
  added: number;
  removed: number;
  notInGuild: number;
  transientErrors: number;
  permanentErrors: number;
  /** Every Discord call made (reads, role changes, avatar downloads), failed ones included. */
  discordCalls: number;
  /** List Guild Members pages read. */
  listedPages: number;
  /** Set when the whole guild is blocked by a permanent failure: nothing is tried before then. */
  blockedUntil: Date | null;
}

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
  notInGuild: { memberId: string; discordUserId: string }[];
  /** Members whose Discord state could not be read, or whose change is blocked. */
  errors: { memberId: string; discordUserId: string | null; reason: string }[];
  discordCalls: number;
}

/** The reconciler: claims due members and converges Discord to their entitlement. */
export interface RoleReconciler {
  /**
   * One round: counts due members, picks bulk or per-member by cost, claims, reconciles and records.
   * A bulk round keeps claiming until nothing is due within the look-ahead window.
   */
  runOnce(opts: RunOptions): Promise<RunSummary>;
  /** Rounds until nothing is due now (the CLI's `reconcile --all`). */
  drain(opts: RunOptions): Promise<RunSummary>;
  /** The dry run: what a full reconciliation would change, without claiming or changing anything. */
  plan(
    opts: Omit<RunOptions, "stop" | "onMember"> & { onProgress?: (checked: number) => void },
  ): Promise<ReconcilePlan>;
  /** Blocks currently held (for health pages). */
  blocks(): Block[];
}

class GuildBlockedSignal extends Error {
  override readonly name = "GuildBlockedSignal";
  constructor(readonly until: Date) {
    super("guild blocked");
  }
}

/** Per-item bookkeeping while it is processed. */
interface ItemProblems {
  transient: { reason: string; retryAfterMs: number | null }[];
  /** `blocked`: a role block covers it (logged once for the block, not per member). */
  permanent: { reason: string; blocked: boolean }[];
  notInGuild: boolean;
  added: number;
  removed: number;
}

type ReadResult =
  | { ok: true; view: MemberView | null }
  | { ok: false; reason: string; transient: boolean; retryAfterMs: number | null };

function emptySummary(): RunSummary {
  return {
    mode: "none",
    decision: null,
    due: 0,
    claimed: 0,
    processed: 0,
    released: 0,
    leaseLost: 0,
    added: 0,
    removed: 0,
    notInGuild: 0,
    transientErrors: 0,
    permanentErrors: 0,
    discordCalls: 0,
    listedPages: 0,
    blockedUntil: null,
  };
}

function addSummary(into: RunSummary, from: RunSummary): void {
  for (const key of [
    "claimed",
    "processed",
    "released",
    "leaseLost",
    "added",
    "removed",
    "notInGuild",
    "transientErrors",
    "permanentErrors",
    "discordCalls",
    "listedPages",
  ] as const) {
    into[key] += from[key];
  }
}

function groupLinked(list: readonly LinkedMember[]): Map<string, LinkedMember[]> {
  const map = new Map<string, LinkedMember[]>();
  for (const member of list) {
    const group = map.get(member.discordUserId) ?? [];
    group.push(member);
    map.set(member.discordUserId, group);
  }
  return map;
}

/**
 * Creates the reconciler.
 *
 * @example
 * const reconciler = createRoleReconciler({ queue, ledger, members, profiles, eventLog, clock, scheduler, owner: "worker-1" });
 * const summary = await reconciler.runOnce({ settings, gateway });
 */
export function createRoleReconciler(deps: RoleReconcilerDeps): RoleReconciler {
  const options: ReconcilerOptions = { ...DEFAULT_RECONCILER_OPTIONS, ...deps.options };
  const random = deps.random ?? Math.random;
  const { queue, ledger, members, profiles, eventLog, clock, scheduler, owner } = deps;
  const blocks = createBlockList({ probeMs: options.probeMs });
  let fingerprint: string | null = null;
  let lastGuildId: string | null = null;
  let guildSizeEstimate: number | null = null;
  let snapshot: GuildSnapshot | null = null;
  let msPerItem: number | null = null;
  /**
   * Claims this worker still holds but could neither record nor release (the database went away
   * mid-round). Given back at the start of the next round, so the members are not stuck behind this
   * worker's own lease until it expires.
   */
  const stranded = new Map<string, SyncItem>();

  const log = (entry: EventLogEntry, signal?: AbortSignal) => eventLog.append(entry, { signal });

  /**
   * Settings changed: forget what was learnt about the old ones and, when they differ from the
   * settings last applied — by this process or, before a restart, by any worker (the store keeps the
   * applied fingerprint) — re-check everyone. The first settings a database sees are recorded
   * without a pass: its members are all due already.
   */
  async function onSettings(settings: RoleSyncSettings, signal?: AbortSignal): Promise<void> {
    const next = JSON.stringify([settings.guildId, settings.rules]);
    if (next === fingerprint) return;
    if (lastGuildId !== null && lastGuildId !== settings.guildId) guildSizeEstimate = null;
    lastGuildId = settings.guildId;
    blocks.reset();
    snapshot = null;
    const applied = await queue.appliedSettings({ signal });
    if (applied !== next) {
      const now = clock.now();
      if (applied !== null) {
        // Everyone checked up to now (inclusive) was checked under the old settings.
        const checkedBefore = new Date(now.getTime() + 1);
        const marked = await queue.scheduleFullPass({ now, checkedBefore }, { signal });
        await log(
          {
            kind: "role.settings_changed",
            level: "info",
            message: `role settings changed; ${marked} member(s) will be re-checked`,
            data: { guildId: settings.guildId, marked },
          },
          signal,
        );
      }
      await queue.saveAppliedSettings({ fingerprint: next, now }, { signal });
    }
    fingerprint = next;
  }

  async function logApiError(
    error: unknown,
    verdict: ErrorVerdict,
    ctx: {
      operation: DiscordOperation;
      guildId: string;
      memberId?: string | null;
      discordUserId?: string | null;
      roleId?: string | null;
    },
    signal?: AbortSignal,
  ): Promise<void> {
    const fields = readErrorFields(error);
    await log(
      {
        kind: "discord.api_error",
        level: verdict.kind === "permanent" ? "error" : verdict.kind === "not_in_guild" ? "info" : "warn",
        message: `${ctx.operation} failed: ${verdict.reason}`,
        memberId: ctx.memberId ?? null,
        discordUserId: ctx.discordUserId ?? null,
        data: {
          operation: ctx.operation,
          guildId: ctx.guildId,
          roleId: ctx.roleId ?? null,
          route: fields.route,
          status: fields.status,
          code: fields.code,
          retryAfterMs: fields.retryAfterMs,
          verdict: verdict.kind,
          ...(verdict.kind === "permanent" ? { scope: verdict.scope } : {}),
        },
      },
      signal,
    );
  }

  /** Records a permanent failure's block; logs it once when it starts. Guild blocks stop the run. */
  async function applyBlock(
    scope: BlockScope,
    reason: string,
    guildId: string,
    signal?: AbortSignal,
  ): Promise<void> {
    const now = clock.now();
    const fresh = blocks.block(scope, reason, now);
    if (fresh) {
      await log(
        {
          kind: scope.kind === "bulk" ? "role.bulk_unavailable" : "role.permanent_error",
          level: scope.kind === "bulk" ? "warn" : "error",
          message: reason,
          data: {
            guildId,
            scope: scope.kind,
            roleId: scope.kind === "role" ? scope.roleId : null,
            probeInMs: options.probeMs,
          },
        },
        signal,
      );
    }
  }

  /**
   * A member entered `permanent_error` for a reason of its own (no role block covers it): logged
   * once, at error level, when it enters the state — not at each re-check.
   */
  async function logMemberFailure(
    item: SyncItem,
    discordUserId: string | null,
    problems: ItemProblems,
    guildId: string,
    signal?: AbortSignal,
  ): Promise<void> {
    const reasons = [...new Set(problems.permanent.filter((p) => !p.blocked).map((p) => p.reason))];
    if (reasons.length === 0) return;
    await log(
      {
        kind: "role.permanent_error",
        level: "error",
        message: `member ${item.memberId}: ${reasons.join("; ")}`,
        memberId: item.memberId,
        discordUserId,
        data: { guildId, scope: "member", roleId: null },
      },
      signal,
    );
  }

  /** A call for `scope` succeeded: if it was blocked, clear it and re-try the members it failed. */
  async function recovered(scope: BlockScope, guildId: string, signal?: AbortSignal): Promise<void> {
    if (!blocks.clear(scope)) return;
    const marked = await queue.markDue({ now: clock.now(), states: ["permanent_error"] }, { signal });
    await log(
      {
        kind: "role.recovered",
        level: "info",
        message: `${scope.kind === "role" ? `role ${scope.roleId}` : scope.kind} works again; ${marked} member(s) re-marked`,
        data: { guildId, scope: scope.kind, roleId: scope.kind === "role" ? scope.roleId : null, marked },
      },
      signal,
    );
  }

  function guildBlockedUntil(now: Date): Date | null {
    return blocks.active({ kind: "guild" }, now)?.until ?? null;
  }

  /** Context shared by the members of one batch. */
  interface BatchContext {
    settings: RoleSyncSettings;
    gateway: GuildGateway;
    managed: ReadonlySet<string>;
    snapshot: GuildSnapshot | null;
    summary: RunSummary;
    hard?: AbortSignal;
    dryRun: boolean;
  }

  /** The account's guild state: from the snapshot when it is fresh enough for this member, else read. */
  async function readMember(
    ctx: BatchContext,
    entry: SyncEntry,
    discordUserId: string,
    signal: AbortSignal | undefined,
  ): Promise<ReadResult> {
    const snap = ctx.snapshot;
    if (snap && !(entry.dirty && entry.dueAt.getTime() > snap.takenAt.getTime())) {
      return { ok: true, view: snap.members.get(discordUserId) ?? null };
    }
    const guildId = ctx.settings.guildId;
    const blocked = blocks.active({ kind: "guild" }, clock.now());
    if (blocked) {
      if (ctx.dryRun) return { ok: false, reason: blocked.reason, transient: false, retryAfterMs: null };
      throw new GuildBlockedSignal(blocked.until);
    }
    try {
      ctx.summary.discordCalls += 1;
      const raw = await ctx.gateway.getMember({ guildId, userId: discordUserId }, { signal });
      const view = raw ? toMemberView(raw) : null;
      if (!ctx.dryRun) await recovered({ kind: "guild" }, guildId, ctx.hard);
      if (snap) {
        if (view) snap.members.set(discordUserId, view);
        else snap.members.delete(discordUserId);
      }
      return { ok: true, view };
    } catch (error) {
      const verdict = classifyDiscordError(error, {
        operation: "get_member",
        guildId,
        userId: discordUserId,
      });
      if (verdict.kind === "aborted") throw error;
      if (verdict.kind === "not_in_guild") {
        snap?.members.delete(discordUserId);
        return { ok: true, view: null };
      }
      if (!ctx.dryRun) {
        await logApiError(
          error,
          verdict,
          { operation: "get_member", guildId, memberId: entry.memberId, discordUserId },
          ctx.hard,
        );
      }
      if (verdict.kind === "permanent" && verdict.scope === "guild" && !ctx.dryRun) {
        await applyBlock({ kind: "guild" }, verdict.reason, guildId, ctx.hard);
        throw new GuildBlockedSignal(guildBlockedUntil(clock.now()) ?? clock.now());
      }
      return {
        ok: false,
        reason: verdict.reason,
        transient: verdict.kind === "transient",
        retryAfterMs: verdict.kind === "transient" ? verdict.retryAfterMs : null,
      };
    }
  }

  /** Makes the calls of one account plan; resolves `false` when the account turned out to be gone. */
  async function applyPlan(
    ctx: BatchContext,
    item: SyncItem,
    plan: AccountPlan,
    ownGrants: ReadonlySet<string>,
    problems: ItemProblems,
    signal: AbortSignal,
  ): Promise<void> {
    const { guildId } = ctx.settings;
    if (plan.grantsBefore.length > 0) await ledger.add({ grants: plan.grantsBefore }, { signal: ctx.hard });
    const failed = new Set<string>();
    let gone = false;
    for (const change of [...plan.add, ...plan.remove]) {
      const now = clock.now();
      const guildBlock = guildBlockedUntil(now);
      if (guildBlock) throw new GuildBlockedSignal(guildBlock);
      const roleBlock = blocks.active({ kind: "role", roleId: change.roleId }, now);
      if (roleBlock) {
        problems.permanent.push({ reason: roleBlock.reason, blocked: true });
        failed.add(change.roleId);
        continue;
      }
      const operation: DiscordOperation = change.action === "add" ? "add_role" : "remove_role";
      const request = { guildId, userId: change.discordUserId, roleId: change.roleId, reason: change.reason };
      try {
        ctx.summary.discordCalls += 1;
        if (change.action === "add") await ctx.gateway.addRole(request, { signal });
        else await ctx.gateway.removeRole(request, { signal });
      } catch (error) {
        const verdict = classifyDiscordError(error, {
          operation,
          guildId,
          roleId: change.roleId,
          userId: change.discordUserId,
        });
        if (verdict.kind === "aborted") throw error;
        await logApiError(
          error,
          verdict,
          {
            operation,
            guildId,
            memberId: item.memberId,
            discordUserId: change.discordUserId,
            roleId: change.roleId,
          },
          ctx.hard,
        );
        failed.add(change.roleId);
        if (verdict.kind === "not_in_guild") {
          gone = true;
          break;
        }
        if (verdict.kind === "transient") {
          problems.transient.push({ reason: verdict.reason, retryAfterMs: verdict.retryAfterMs });
          continue;
        }
        problems.permanent.push({ reason: verdict.reason, blocked: verdict.scope === "role" });
        if (verdict.scope === "role")
          await applyBlock({ kind: "role", roleId: change.roleId }, verdict.reason, guildId, ctx.hard);
        if (verdict.scope === "guild") {
          await applyBlock({ kind: "guild" }, verdict.reason, guildId, ctx.hard);
          throw new GuildBlockedSignal(guildBlockedUntil(clock.now()) ?? clock.now());
        }
        continue;
      }
      await recovered({ kind: "role", roleId: change.roleId }, guildId, ctx.hard);
      await recovered({ kind: "guild" }, guildId, ctx.hard);
      if (change.action === "add") problems.added += 1;
      else problems.removed += 1;
      updateSnapshot(ctx.snapshot, change);
      await logChange(item, plan, change, guildId, ctx.hard);
    }
    if (gone) {
      ctx.snapshot?.members.delete(plan.discordUserId);
      if (plan.relation === "current") problems.notInGuild = true;
      const forget = [...ownGrants].map((roleId) => ({
        memberId: item.memberId,
        discordUserId: plan.discordUserId,
        roleId,
      }));
      if (forget.length > 0) await ledger.remove({ grants: forget }, { signal: ctx.hard });
      return;
    }
    const forget = plan.forgetAfter.filter((g) => !failed.has(g.roleId));
    if (forget.length > 0) await ledger.remove({ grants: forget }, { signal: ctx.hard });
  }

  function updateSnapshot(snap: GuildSnapshot | null, change: PlannedRoleChange): void {
    const view = snap?.members.get(change.discordUserId);
    if (!snap || !view) return;
    const roles =
      change.action === "add"
        ? [...new Set([...view.roles, change.roleId])]
        : view.roles.filter((roleId) => roleId !== change.roleId);
    snap.members.set(change.discordUserId, { ...view, roles });
  }

  async function logChange(
    item: SyncItem,
    plan: AccountPlan,
    change: PlannedRoleChange,
    guildId: string,
    signal?: AbortSignal,
  ): Promise<void> {
    const verb = change.action === "add" ? "added" : "removed";
    await log(
      {
        kind: `role.${verb}`,
        level: "info",
        message: `${verb} role ${change.roleId} ${change.action === "add" ? "to" : "from"} Discord user ${change.discordUserId}: ${change.reason}`,
        memberId: item.memberId,
        discordUserId: change.discordUserId,
        data: {
          guildId,
          roleId: change.roleId,
          reason: change.reason,
          relation: plan.relation,
          memberIds: change.memberIds,
        },
      },
      signal,
    );
  }

  /** Refreshes display name and avatar; a failed download never blocks anything. */
  async function refreshProfile(
    ctx: BatchContext,
    item: SyncItem,
    view: MemberView,
    signal: AbortSignal,
  ): Promise<void> {
    const { guildId } = ctx.settings;
    const profile = planProfile(item.profile, view, guildId);
    if (!profile.avatarChanged) {
      if (profile.nameChanged) {
        await profiles.save(
          { memberId: item.memberId, displayName: profile.displayName },
          { signal: ctx.hard },
        );
      }
      return;
    }
    if (profile.avatar === null) {
      await profiles.save(
        { memberId: item.memberId, displayName: profile.displayName, avatar: { hash: null, bytes: null } },
        { signal: ctx.hard },
      );
      return;
    }
    try {
      ctx.summary.discordCalls += 1;
      const bytes = await ctx.gateway.fetchAvatar(profile.avatar, { signal });
      await profiles.save(
        {
          memberId: item.memberId,
          displayName: profile.displayName,
          avatar: { hash: profile.avatar.hash, bytes },
        },
        { signal: ctx.hard },
      );
    } catch (error) {
      if (isAbortError(error) && signal.aborted) throw error;
      const verdict = classifyDiscordError(error, {
        operation: "fetch_avatar",
        guildId,
        userId: view.userId,
      });
      await logApiError(
        error,
        verdict,
        { operation: "fetch_avatar", guildId, memberId: item.memberId, discordUserId: view.userId },
        ctx.hard,
      );
      // Keep the old avatar and hash: the next check tries the download again.
      if (profile.nameChanged) {
        await profiles.save(
          { memberId: item.memberId, displayName: profile.displayName },
          { signal: ctx.hard },
        );
      }
    }
  }

  function linkedFor(
    linkedByAccount: Map<string, LinkedMember[]>,
    discordUserId: string,
    item: SyncEntry | null,
  ): LinkedMember[] {
    const others = (linkedByAccount.get(discordUserId) ?? []).filter((m) => m.memberId !== item?.memberId);
    return item
      ? [...others, { memberId: item.memberId, discordUserId, attributes: item.attributes }]
      : others;
  }

  /** Reconciles one claimed member; resolves its outcome. Throws on abort or guild block. */
  async function processItem(
    ctx: BatchContext,
    item: SyncItem,
    accounts: MemberAccounts,
    linkedByAccount: Map<string, LinkedMember[]>,
    signal: AbortSignal,
  ): Promise<{ outcome: SyncOutcome; problems: ItemProblems }> {
    const { settings } = ctx;
    const problems: ItemProblems = { transient: [], permanent: [], notInGuild: false, added: 0, removed: 0 };

    if (accounts.current !== null) {
      const account = accounts.current;
      const read = await readMember(ctx, item, account, signal);
      if (!read.ok) {
        if (read.transient) problems.transient.push({ reason: read.reason, retryAfterMs: read.retryAfterMs });
        else problems.permanent.push({ reason: read.reason, blocked: false });
      } else {
        const plan = planAccount({
          rules: settings.rules,
          managed: ctx.managed,
          memberId: item.memberId,
          discordUserId: account,
          relation: "current",
          linked: linkedFor(linkedByAccount, account, item),
          ownGrants: accounts.currentGrants,
          held: read.view?.roles ?? null,
        });
        if (read.view === null) problems.notInGuild = true;
        await applyPlan(ctx, item, plan, accounts.currentGrants, problems, signal);
        if (read.view !== null && !problems.notInGuild) await refreshProfile(ctx, item, read.view, signal);
      }
    }

    for (const [account, ownGrants] of accounts.previous) {
      const read = await readMember(ctx, item, account, signal);
      if (!read.ok) {
        if (read.transient) problems.transient.push({ reason: read.reason, retryAfterMs: read.retryAfterMs });
        else problems.permanent.push({ reason: read.reason, blocked: false });
        continue;
      }
      const plan = planAccount({
        rules: settings.rules,
        managed: ctx.managed,
        memberId: item.memberId,
        discordUserId: account,
        relation: "previous",
        cause: accounts.cause,
        linked: linkedFor(linkedByAccount, account, null),
        ownGrants,
        held: read.view?.roles ?? null,
      });
      await applyPlan(ctx, item, plan, ownGrants, problems, signal);
    }

    return { outcome: outcomeOf(item, accounts, problems, settings), problems };
  }

  function outcomeOf(
    item: SyncItem,
    accounts: MemberAccounts,
    problems: ItemProblems,
    settings: RoleSyncSettings,
  ): SyncOutcome {
    const checkedAt = clock.now();
    if (problems.transient.length > 0) {
      const attempts = item.attempts + 1;
      const retryAfterMs = Math.max(0, ...problems.transient.map((p) => p.retryAfterMs ?? 0));
      const delay = backoffDelayMs(attempts, { policy: options.backoff, random, retryAfterMs });
      return {
        state: "retrying",
        checkedAt,
        nextDueAt: new Date(checkedAt.getTime() + delay),
        attempts,
        lastError: [...problems.transient, ...problems.permanent].map((p) => p.reason).join("; "),
        forget: false,
      };
    }
    if (problems.permanent.length > 0) {
      return {
        state: "permanent_error",
        checkedAt,
        nextDueAt: nextRecheckAt(checkedAt, settings.syncIntervalMs),
        attempts: item.attempts + 1,
        lastError: [...new Set(problems.permanent.map((p) => p.reason))].join("; "),
        forget: false,
      };
    }
    if (accounts.current === null) {
      return {
        state: "unlinked",
        checkedAt,
        nextDueAt: null,
        attempts: 0,
        lastError: null,
        forget: item.deleted,
      };
    }
    return {
      state: problems.notInGuild ? "not_in_guild" : "ok",
      checkedAt,
      nextDueAt: nextRecheckAt(checkedAt, settings.syncIntervalMs),
      attempts: 0,
      lastError: null,
      forget: false,
    };
  }

  async function release(items: readonly SyncItem[], summary: RunSummary, onMember?: RunOptions["onMember"]) {
    for (const item of items) {
      try {
        await queue.release(item);
      } catch {
        // Given back at the next round (else the lease expires on its own).
        stranded.set(item.memberId, item);
      }
      summary.released += 1;
      onMember?.({ memberId: item.memberId, state: "released", added: 0, removed: 0, error: null });
    }
  }

  /** Gives back the {@link stranded} claims; rejects (failing the round) while the database is away. */
  async function releaseStranded(signal?: AbortSignal): Promise<void> {
    for (const [memberId, item] of stranded) {
      await queue.release(item, { signal });
      stranded.delete(memberId);
    }
  }

  /** The grants and linked members a batch needs; on failure the batch's claims are given back. */
  async function loadBatch(items: SyncItem[], columns: string[], run: RunOptions, summary: RunSummary) {
    const hard = run.signal;
    try {
      const grants: Grant[] = await ledger.list(
        { memberIds: items.map((i) => i.memberId) },
        { signal: hard },
      );
      const accountsOf = new Map(items.map((item) => [item.memberId, memberAccounts(item, grants)]));
      const accountIds = new Set<string>();
      for (const accounts of accountsOf.values()) {
        if (accounts.current) accountIds.add(accounts.current);
        for (const id of accounts.previous.keys()) accountIds.add(id);
      }
      const linked =
        accountIds.size > 0
          ? await members.findByDiscordIds({ discordUserIds: [...accountIds], columns }, { signal: hard })
          : [];
      return { accountsOf, linkedByAccount: groupLinked(linked) };
    } catch (error) {
      await release(items, summary, run.onMember);
      throw error;
    }
  }

  /** Reconciles a claimed batch in order; resolves when done, stopped or blocked. */
  async function processBatch(ctx: BatchContext, items: SyncItem[], run: RunOptions): Promise<void> {
    const { summary } = ctx;
    const hard = run.signal;
    const columns = ruleColumns(ctx.settings.rules);
    const { accountsOf, linkedByAccount } = await loadBatch(items, columns, run, summary);

    // Outcomes are recorded together (one statement per batch); every step is idempotent, so a
    // crash before the flush only means the members are reconciled again.
    const pending: { item: SyncItem; outcome: SyncOutcome }[] = [];
    const flush = async () => {
      if (pending.length === 0) return;
      const batch = pending.splice(0);
      let recorded: number;
      try {
        recorded = await queue.completeMany(batch, { signal: hard });
      } catch (error) {
        // Not recorded (or not all): give the claims back next round; the members are re-checked.
        for (const { item } of batch) stranded.set(item.memberId, item);
        throw error;
      }
      summary.processed += recorded;
      summary.leaseLost += batch.length - recorded;
    };
    try {
      for (let index = 0; index < items.length; index += 1) {
        const item = items[index]!;
        if (run.stop?.aborted || hard?.aborted) {
          await release(items.slice(index), summary, run.onMember);
          return;
        }
        const started = clock.now();
        const oldest = pending[0];
        if (oldest && !canStart(oldest.item, started, options.leaseGuardMs)) await flush();
        if (!canStart(item, started, options.leaseGuardMs)) {
          await release([item], summary, run.onMember);
          continue;
        }
        const accounts = accountsOf.get(item.memberId)!;
        const lease = leaseSignal({ item, clock, scheduler, safetyMs: options.leaseSafetyMs, parent: hard });
        let result: { outcome: SyncOutcome; problems: ItemProblems };
        try {
          result = await processItem(ctx, item, accounts, linkedByAccount, lease.signal);
        } catch (error) {
          lease.dispose();
          if (error instanceof GuildBlockedSignal) {
            summary.blockedUntil = error.until;
            await release(items.slice(index), summary, run.onMember);
            return;
          }
          if (isAbortError(error) || lease.signal.aborted) {
            await release([item], summary, run.onMember);
            if (hard?.aborted) {
              await release(items.slice(index + 1), summary, run.onMember);
              return;
            }
            continue;
          }
          await release(items.slice(index), summary, run.onMember);
          throw error;
        }
        lease.dispose();
        const { outcome, problems } = result;
        pending.push({ item, outcome });
        summary.added += problems.added;
        summary.removed += problems.removed;
        if (outcome.state === "not_in_guild") summary.notInGuild += 1;
        if (outcome.state === "retrying") summary.transientErrors += 1;
        if (outcome.state === "permanent_error") summary.permanentErrors += 1;
        if (outcome.state === "permanent_error" && item.state !== "permanent_error") {
          await logMemberFailure(item, accounts.current, problems, ctx.settings.guildId, hard);
        }
        if (outcome.state === "not_in_guild" && item.state !== "not_in_guild") {
          await log(
            {
              kind: "role.not_in_guild",
              level: "info",
              message: `Discord user ${accounts.current} is not in guild ${ctx.settings.guildId}; no role change attempted, re-checked on the normal interval`,
              memberId: item.memberId,
              discordUserId: accounts.current,
              data: { guildId: ctx.settings.guildId },
            },
            hard,
          );
        }
        const elapsed = Math.max(0, clock.now().getTime() - started.getTime());
        msPerItem = msPerItem === null ? elapsed : msPerItem * 0.8 + elapsed * 0.2;
        run.onMember?.({
          memberId: item.memberId,
          state: outcome.state,
          added: problems.added,
          removed: problems.removed,
          error: outcome.lastError,
        });
      }
    } finally {
      await flush();
    }
  }

  /**
   * Lists the guild for a bulk round; `null` when bulk is not possible right now. `signal` aborts the
   * listing (a soft stop must not wait for a long listing: nothing is claimed yet).
   */
  async function takeSnapshot(
    ctx: Omit<BatchContext, "snapshot">,
    decision: ModeDecision,
    forced: boolean,
    signal: AbortSignal | undefined,
  ): Promise<GuildSnapshot | null> {
    const { guildId } = ctx.settings;
    const now = clock.now();
    const reusable =
      !ctx.dryRun &&
      snapshot !== null &&
      snapshot.guildId === guildId &&
      now.getTime() - snapshot.takenAt.getTime() < options.snapshotMaxAgeMs;
    if (reusable) return snapshot;
    snapshot = null;
    try {
      const listing = await listGuildSnapshot(
        {
          gateway: ctx.gateway,
          guildId,
          clock,
          pageSize: options.pageSize,
          maxPages: forced ? Number.POSITIVE_INFINITY : decision.maxPages,
          onPage: () => {
            ctx.summary.discordCalls += 1;
            ctx.summary.listedPages += 1;
          },
        },
        { signal },
      );
      if (!listing.snapshot) {
        guildSizeEstimate = Math.max(guildSizeEstimate ?? 0, listing.seen);
        return null;
      }
      guildSizeEstimate = listing.snapshot.members.size;
      if (ctx.dryRun) return listing.snapshot;
      await recovered({ kind: "bulk" }, guildId, ctx.hard);
      await recovered({ kind: "guild" }, guildId, ctx.hard);
      snapshot = listing.snapshot;
      return snapshot;
    } catch (error) {
      ctx.summary.discordCalls += 1;
      const verdict = classifyDiscordError(error, { operation: "list_members", guildId });
      if (verdict.kind === "aborted") throw error;
      if (ctx.dryRun) return null;
      await logApiError(error, verdict, { operation: "list_members", guildId }, ctx.hard);
      if (verdict.kind === "permanent" && verdict.scope === "guild") {
        await applyBlock({ kind: "guild" }, verdict.reason, guildId, ctx.hard);
        throw new GuildBlockedSignal(guildBlockedUntil(clock.now()) ?? clock.now());
      }
      // Intent missing, or listing failing: check members one by one until the probe.
      await applyBlock({ kind: "bulk" }, verdict.reason, guildId, ctx.hard);
      return null;
    }
  }

  async function runOnce(run: RunOptions): Promise<RunSummary> {
    const summary = emptySummary();
    const { settings, gateway } = run;
    const hard = run.signal;
    await releaseStranded(hard);
    await onSettings(settings, hard);
    const now = clock.now();
    const blockedUntil = guildBlockedUntil(now);
    if (blockedUntil) {
      summary.blockedUntil = blockedUntil;
      return summary;
    }
    if (blocks.takeExpired(now).some((block) => block.scope.kind === "role")) {
      // Re-try the members a blocked role failed: the first one probes the role.
      await queue.markDue({ now, states: ["permanent_error"] }, { signal: hard });
    }
    summary.due = await queue.countDue({ now }, { signal: hard });
    if (summary.due === 0) return summary;
    const managed = managedRoles(settings.rules);
    const columns = ruleColumns(settings.rules);
    const choice = run.mode ?? "auto";
    const bulkBlocked = blocks.active({ kind: "bulk" }, now) !== null;
    const decision = chooseMode({
      dueCount: summary.due,
      guildSizeEstimate,
      pageSize: options.pageSize,
      bulkAvailable: choice !== "per_member" && !bulkBlocked,
    });
    const wantBulk = choice === "bulk" ? !bulkBlocked : decision.mode === "bulk";
    summary.decision = decision;
    const base = { settings, gateway, managed, summary, hard, dryRun: false };

    try {
      if (wantBulk) {
        const listingSignal = run.stop && hard ? AbortSignal.any([run.stop, hard]) : (run.stop ?? hard);
        const snap = await takeSnapshot(base, decision, choice === "bulk", listingSignal);
        if (snap) {
          summary.mode = "bulk";
          const ctx: BatchContext = { ...base, snapshot: snap };
          for (;;) {
            if (run.stop?.aborted || hard?.aborted) break;
            const claimAt = clock.now();
            if (claimAt.getTime() - snap.takenAt.getTime() >= options.snapshotMaxAgeMs) break;
            const limit = claimBatchSize({ leaseMs: options.leaseMs, msPerItem, max: options.bulkBatch });
            const items = await queue.claimDue(
              {
                owner,
                leaseMs: options.leaseMs,
                limit,
                now: claimAt,
                dueBy: new Date(claimAt.getTime() + bulkLookaheadMs(settings.syncIntervalMs)),
                columns,
              },
              { signal: hard },
            );
            if (items.length === 0) break;
            summary.claimed += items.length;
            await processBatch(ctx, items, run);
            if (summary.blockedUntil) break;
          }
          return summary;
        }
      }
      summary.mode = "per_member";
      const claimAt = clock.now();
      const items = await queue.claimDue(
        { owner, leaseMs: options.leaseMs, limit: options.perMemberBatch, now: claimAt, columns },
        { signal: hard },
      );
      summary.claimed += items.length;
      if (items.length > 0) await processBatch({ ...base, snapshot: null }, items, run);
      return summary;
    } catch (error) {
      if (error instanceof GuildBlockedSignal) {
        summary.blockedUntil = error.until;
        return summary;
      }
      // A soft stop during the listing: nothing was claimed, so there is nothing to finish.
      if (run.stop?.aborted && !hard?.aborted && isAbortError(error)) return summary;
      throw error;
    }
  }

  async function drain(run: RunOptions): Promise<RunSummary> {
    const total = emptySummary();
    let first = true;
    for (;;) {
      if (run.stop?.aborted || run.signal?.aborted) return total;
      const round = await runOnce(run);
      if (first) {
        total.due = round.due;
        total.decision = round.decision;
        total.mode = round.mode;
        first = false;
      }
      addSummary(total, round);
      if (round.blockedUntil) {
        total.blockedUntil = round.blockedUntil;
        return total;
      }
      if (round.due === 0 || round.claimed === 0) return total;
    }
  }

  async function plan(
    run: Omit<RunOptions, "stop" | "onMember"> & { onProgress?: (checked: number) => void },
  ): Promise<ReconcilePlan> {
    const { settings, gateway } = run;
    const hard = run.signal;
    const managed = managedRoles(settings.rules);
    const columns = ruleColumns(settings.rules);
    const summary = emptySummary();
    const base = { settings, gateway, managed, summary, hard, dryRun: true };
    const result: ReconcilePlan = {
      generatedAt: clock.now(),
      mode: "per_member",
      checked: 0,
      gains: [],
      losses: [],
      notInGuild: [],
      errors: [],
      discordCalls: 0,
    };
    let snap: GuildSnapshot | null = null;
    if (run.mode !== "per_member" && blocks.active({ kind: "bulk" }, clock.now()) === null) {
      const forced: ModeDecision = {
        mode: "bulk",
        perMemberReads: 0,
        bulkReads: null,
        maxPages: Number.POSITIVE_INFINITY,
        reason: "dry run",
      };
      snap = await takeSnapshot(base, forced, true, hard);
    }
    if (snap) result.mode = "bulk";
    const ctx: BatchContext = { ...base, snapshot: snap };
    const gains = new Map<string, PlannedChange>();
    const losses = new Map<string, PlannedChange>();
    const collect = (into: Map<string, PlannedChange>, change: PlannedRoleChange) => {
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
    };

    let after: string | null = null;
    for (;;) {
      const page: SyncEntry[] = await queue.scan({ after, limit: 500, columns }, { signal: hard });
      if (page.length === 0) break;
      after = page[page.length - 1]!.memberId;
      const grants = await ledger.list({ memberIds: page.map((e) => e.memberId) }, { signal: hard });
      const accountIds = new Set<string>();
      const accountsOf = page.map((entry) => {
        const accounts = memberAccounts(entry, grants);
        if (accounts.current) accountIds.add(accounts.current);
        for (const id of accounts.previous.keys()) accountIds.add(id);
        return accounts;
      });
      const linked =
        accountIds.size > 0
          ? await members.findByDiscordIds({ discordUserIds: [...accountIds], columns }, { signal: hard })
          : [];
      const linkedByAccount = groupLinked(linked);
      for (let i = 0; i < page.length; i += 1) {
        const entry = { ...page[i]!, dirty: false };
        const accounts = accountsOf[i]!;
        if (accounts.current === null && accounts.previous.size === 0) continue;
        result.checked += 1;
        const targets: [string, "current" | "previous", Set<string>][] = [];
        if (accounts.current) targets.push([accounts.current, "current", accounts.currentGrants]);
        for (const [id, roles] of accounts.previous) targets.push([id, "previous", roles]);
        for (const [account, relation, ownGrants] of targets) {
          const read = await readMember(ctx, entry, account, hard);
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
            rules: settings.rules,
            managed,
            memberId: entry.memberId,
            discordUserId: account,
            relation,
            cause: accounts.cause,
            linked: linkedFor(linkedByAccount, account, relation === "current" ? entry : null),
            ownGrants,
            held: read.view.roles,
          });
          for (const change of accountPlan.add) collect(gains, change);
          for (const change of accountPlan.remove) collect(losses, change);
          for (const change of [...accountPlan.add, ...accountPlan.remove]) {
            const block = blocks.active({ kind: "role", roleId: change.roleId }, clock.now());
            if (block)
              result.errors.push({ memberId: entry.memberId, discordUserId: account, reason: block.reason });
          }
        }
      }
      run.onProgress?.(result.checked);
    }
    result.gains = [...gains.values()];
    result.losses = [...losses.values()];
    result.discordCalls = summary.discordCalls;
    return result;
  }

  return {
    runOnce,
    drain,
    plan,
    blocks: () => blocks.list(),
  };
}
