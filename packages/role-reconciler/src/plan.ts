import { desiredRoles, type EntitlementRule, type RoleEntitlement } from "./entitlement";
import type { Grant, GrantOrigin, LedgerRow, MemberAttributes, NewGrant, SyncEntry } from "./ports";
import { DEFAULT_LIFECYCLE, type LifecycleSettings } from "./reconcile/options";

/** Longest `X-Audit-Log-Reason` Discord accepts. */
export const MAX_AUDIT_REASON = 512;

/** `current`: the account the member links now. `previous`: an account it linked before. */
export type AccountRelation = "current" | "previous";

/** Why a member stopped being linked to a previous account. */
export type UnlinkCause = "deleted" | "unlinked" | "relinked";

/** One role call to make. */
export interface PlannedRoleChange {
  discordUserId: string;
  roleId: string;
  action: "add" | "remove";
  /** Members the change is on account of (entitled ones for an add; the member in hand for a removal). */
  memberIds: string[];
  /** Sent as the audit-log reason. */
  reason: string;
}

/** A role an account keeps for the grace period although nobody linked to it is entitled any more. */
export interface PlannedGrace {
  discordUserId: string;
  roleId: string;
  memberIds: string[];
  /** When the entitlement was found ended (the grace period's start). */
  since: Date;
  /** When the role goes (the member is due again then). */
  until: Date;
  reason: string;
}

/** A role the account holds that no rule entitles it to, left alone ("managed grants only"). */
export interface PlannedLeftAlone {
  discordUserId: string;
  roleId: string;
  memberIds: string[];
  reason: string;
}

/** A kick instead of role removals (`onLapse: "kick"`). */
export interface PlannedKick {
  discordUserId: string;
  memberIds: string[];
  /** The managed roles the account held (gone with the kick). */
  roleIds: string[];
  /** Sent as the audit-log reason. */
  reason: string;
}

/** What to do on one Discord account. */
export interface AccountPlan {
  discordUserId: string;
  relation: AccountRelation;
  inGuild: boolean;
  add: PlannedRoleChange[];
  remove: PlannedRoleChange[];
  /** Kick the member instead of removing its roles (on lapse, when configured); then `remove` is empty. */
  kick: PlannedKick | null;
  /** Roles kept for the grace period. */
  graced: PlannedGrace[];
  /** Roles not removed because guildkit did not grant them ("managed grants only"). */
  leftAlone: PlannedLeftAlone[];
  /** Ledger rows to record before any call (so a crash mid-way cannot leak a role). */
  grantsBefore: NewGrant[];
  /** Ledger rows to forget once the calls succeeded. */
  forgetAfter: Grant[];
  /** Ledger rows whose grace period starts now (lapse recorded at the plan's `now`). */
  lapseStart: Grant[];
  /** Ledger rows whose member is entitled again: the grace period is cancelled. */
  lapseEnd: Grant[];
}

/** What the ledger says about one of the member's rows. */
export interface GrantDetail {
  origin: GrantOrigin;
  lapsedAt: Date | null;
}

/** Inputs of {@link planAccount}. */
export interface AccountPlanInput {
  rules: readonly EntitlementRule[];
  managed: ReadonlySet<string>;
  /** The member being reconciled. */
  memberId: string;
  discordUserId: string;
  relation: AccountRelation;
  /** For a previous account: why the member left it. */
  cause?: UnlinkCause;
  /**
   * Members linked to this account now, with their entitlement inputs. For the current account it
   * includes the member being reconciled; for a previous account it never does.
   */
  linked: readonly { memberId: string; attributes: MemberAttributes }[];
  /** Roles the ledger records on this account on account of the member being reconciled. */
  ownGrants: ReadonlySet<string>;
  /** Origin and lapse of those rows (absent: `granted`, not lapsed). */
  ownDetails?: ReadonlyMap<string, GrantDetail>;
  /** Roles the account holds in the guild, or `null` when it is not in the guild. */
  held: readonly string[] | null;
  /** The time of the check (grace periods are measured against it). Default: the epoch. */
  now?: Date;
  /** Grace period, lapse action, managed grants only (defaults: 0, remove, off). */
  lifecycle?: Partial<LifecycleSettings>;
}

/** Trims an audit-log reason to what Discord accepts. */
export function auditReason(text: string): string {
  const chars = [...text];
  return chars.length <= MAX_AUDIT_REASON ? text : `${chars.slice(0, MAX_AUDIT_REASON - 1).join("")}…`;
}

function memberList(ids: readonly string[]): string {
  return ids.length === 1 ? `member ${ids[0]}` : `members ${ids.join(", ")}`;
}

function previousReason(cause: UnlinkCause, memberId: string): string {
  switch (cause) {
    case "deleted":
      return `guildkit: member ${memberId} was deleted`;
    case "unlinked":
      return `guildkit: Discord account unlinked from member ${memberId}`;
    case "relinked":
      return `guildkit: member ${memberId} linked another Discord account`;
  }
}

/** The calendar day of a date, as the plan shows it ("loses 123 on 2026-12-05"). */
export function planDay(date: Date): string {
  return date.toISOString().slice(0, 10);
}

/** What the planners of each relation share. */
interface PlanScope {
  input: AccountPlanInput;
  plan: AccountPlan;
  lifecycle: LifecycleSettings;
  now: Date;
  desired: Map<string, RoleEntitlement>;
  linked: readonly { memberId: string; attributes: MemberAttributes }[];
  /** Managed (or own) roles the account holds. */
  held: Set<string>;
  grant(who: string, roleId: string): Grant;
  detail(roleId: string): GrantDetail | null;
}

/**
 * Plans one account: only what differs is changed, only managed roles are touched.
 *
 * - Current account: it should hold the union of its linked members' entitlements; missing roles
 *   are added, managed roles nobody is entitled to are removed, and so are roles the ledger
 *   recorded for this member that the rules no longer grant (a role replaced in the settings).
 *   Lifecycle: when nobody linked is entitled to anything any more, the member's recorded roles are
 *   kept for the grace period (`graced`), then removed — or the member is kicked (`kick`); with
 *   "managed grants only", a role guildkit did not grant is left alone (`leftAlone`).
 * - Previous account: only the roles the ledger says it got on account of this member are
 *   revoked, unless a member still linked to it is entitled to them.
 *
 * Not in the guild: no call at all; the member's ledger rows for the account are forgotten (an
 * account that left holds no roles).
 */
export function planAccount(input: AccountPlanInput): AccountPlan {
  const { discordUserId, memberId, relation } = input;
  const linked = relation === "previous" ? input.linked.filter((m) => m.memberId !== memberId) : input.linked;
  const plan: AccountPlan = {
    discordUserId,
    relation,
    inGuild: input.held !== null,
    add: [],
    remove: [],
    kick: null,
    graced: [],
    leftAlone: [],
    grantsBefore: [],
    forgetAfter: [],
    lapseStart: [],
    lapseEnd: [],
  };
  const grant = (who: string, roleId: string): Grant => ({ memberId: who, discordUserId, roleId });
  if (input.held === null) {
    for (const roleId of input.ownGrants) plan.forgetAfter.push(grant(memberId, roleId));
    return plan;
  }
  const scope: PlanScope = {
    input,
    plan,
    lifecycle: { ...DEFAULT_LIFECYCLE, ...input.lifecycle },
    now: input.now ?? new Date(0),
    desired: desiredRoles(input.rules, linked),
    linked,
    // Roles the ledger holds for this member count as ours even if the rules stopped naming them
    // (a role replaced in the settings is revoked, not left behind).
    held: new Set(input.held.filter((roleId) => input.managed.has(roleId) || input.ownGrants.has(roleId))),
    grant,
    detail: (roleId) =>
      input.ownGrants.has(roleId)
        ? (input.ownDetails?.get(roleId) ?? { origin: "granted", lapsedAt: null })
        : null,
  };
  if (relation === "current") planCurrent(scope);
  else planPrevious(scope);
  return plan;
}

/** The roles the current account should gain (and the rows of roles it holds on entitlement). */
function planGains(scope: PlanScope): void {
  const { input, plan, desired, held, grant } = scope;
  const { discordUserId, memberId } = input;
  for (const [roleId, why] of desired) {
    const own = scope.detail(roleId);
    if (own?.lapsedAt && why.memberIds.includes(memberId)) plan.lapseEnd.push(grant(memberId, roleId));
    if (held.has(roleId)) {
      if (why.memberIds.includes(memberId) && own === null) {
        plan.grantsBefore.push({ ...grant(memberId, roleId), origin: "adopted" });
      }
      continue;
    }
    const reasons = [...new Set(why.reasons)].join("; ");
    plan.add.push({
      discordUserId,
      roleId,
      action: "add",
      memberIds: [...why.memberIds],
      reason: auditReason(`guildkit: ${memberList(why.memberIds)} entitled (${reasons})`),
    });
    for (const who of why.memberIds) plan.grantsBefore.push({ ...grant(who, roleId), origin: "granted" });
  }
}

function lossReason(scope: PlanScope, roleId: string, graceEnded: boolean): string {
  const { input, linked } = scope;
  const { memberId } = input;
  const base = !input.managed.has(roleId)
    ? `guildkit: role ${roleId} is no longer granted by the role settings (member ${memberId})`
    : linked.length > 1
      ? `guildkit: none of ${memberList(linked.map((m) => m.memberId))} is entitled`
      : `guildkit: member ${memberId} is no longer entitled`;
  return auditReason(graceEnded ? `${base} (grace period ended)` : base);
}

/**
 * Whether a held role nobody is entitled to stays for now: left alone (not granted by guildkit,
 * "managed grants only") or kept for its grace period. Records which in the plan.
 */
function keeps(scope: PlanScope, roleId: string, lapsed: boolean): { keep: boolean; graceEnded: boolean } {
  const { input, plan, lifecycle, now, grant } = scope;
  const { discordUserId, memberId } = input;
  const own = scope.detail(roleId);
  if (lifecycle.managedGrantsOnly && own?.origin !== "granted") {
    plan.leftAlone.push({
      discordUserId,
      roleId,
      memberIds: [memberId],
      reason: `guildkit: role ${roleId} was not granted by guildkit (managed grants only): left alone`,
    });
    return { keep: true, graceEnded: false };
  }
  if (!lapsed || lifecycle.graceMs <= 0 || own === null) return { keep: false, graceEnded: false };
  const since = own.lapsedAt ?? now;
  const until = new Date(since.getTime() + lifecycle.graceMs);
  if (now.getTime() >= until.getTime()) return { keep: false, graceEnded: true };
  if (own.lapsedAt === null) plan.lapseStart.push(grant(memberId, roleId));
  plan.graced.push({
    discordUserId,
    roleId,
    memberIds: [memberId],
    since,
    until,
    reason: `guildkit: member ${memberId} is no longer entitled; loses ${roleId} on ${planDay(until)} (grace period until ${until.toISOString()})`,
  });
  return { keep: true, graceEnded: false };
}

function planCurrent(scope: PlanScope): void {
  const { input, plan, desired, held, grant, lifecycle } = scope;
  const { discordUserId, memberId } = input;
  planGains(scope);
  // The entitlement ended: nobody linked to the account is entitled to anything any more.
  const lapsed = desired.size === 0;
  const kept = new Set<string>();
  for (const roleId of held) {
    if (desired.has(roleId)) continue;
    const verdict = keeps(scope, roleId, lapsed);
    if (verdict.keep) {
      kept.add(roleId);
      continue;
    }
    const reason = lossReason(scope, roleId, verdict.graceEnded);
    plan.remove.push({ discordUserId, roleId, action: "remove", memberIds: [memberId], reason });
  }
  for (const roleId of input.ownGrants) {
    const leftAlone = plan.leftAlone.some((l) => l.roleId === roleId);
    if (kept.has(roleId) && !leftAlone) continue;
    if (!desired.get(roleId)?.memberIds.includes(memberId)) plan.forgetAfter.push(grant(memberId, roleId));
  }
  // A lapse guildkit saw: a role the ledger recorded for the member is going (not a hand-given one).
  const recorded = plan.remove.some((r) => input.ownGrants.has(r.roleId));
  if (lifecycle.onLapse === "kick" && lapsed && recorded && plan.graced.length === 0) {
    const graceEnded = plan.remove.some((r) => r.reason.endsWith("(grace period ended)"));
    plan.kick = {
      discordUserId,
      memberIds: [memberId],
      roleIds: plan.remove.map((r) => r.roleId),
      reason: auditReason(
        `guildkit: member ${memberId} is no longer entitled${graceEnded ? " (grace period ended)" : ""}: kicked (on lapse: kick)`,
      ),
    };
    plan.remove = [];
  }
}

function planPrevious(scope: PlanScope): void {
  const { input, plan, desired, held, grant, lifecycle } = scope;
  const { discordUserId, memberId } = input;
  const reason = auditReason(previousReason(input.cause ?? "unlinked", memberId));
  for (const roleId of input.ownGrants) {
    plan.forgetAfter.push(grant(memberId, roleId));
    if (!held.has(roleId)) continue;
    const still = desired.get(roleId);
    if (still) {
      // Another linked member is entitled: the role stays, now on that member's account.
      const origin = scope.detail(roleId)?.origin ?? "granted";
      for (const who of still.memberIds) plan.grantsBefore.push({ ...grant(who, roleId), origin });
      continue;
    }
    if (lifecycle.managedGrantsOnly && scope.detail(roleId)?.origin !== "granted") {
      plan.leftAlone.push({
        discordUserId,
        roleId,
        memberIds: [memberId],
        reason: `guildkit: role ${roleId} was not granted by guildkit (managed grants only): left alone`,
      });
      continue;
    }
    plan.remove.push({ discordUserId, roleId, action: "remove", memberIds: [memberId], reason });
  }
}

/** The accounts a member's reconciliation touches, from its sync row and its ledger rows. */
export interface MemberAccounts {
  /** The account linked now (`null`: unlinked or deleted). */
  current: string | null;
  /** Roles the ledger records on the current account on account of the member. */
  currentGrants: Set<string>;
  /** Accounts the member linked before that still hold ledger rows, with those roles. */
  previous: Map<string, Set<string>>;
  /** Why the member left its previous accounts. */
  cause: UnlinkCause;
  /** Origin and lapse of every row above, by account then role. */
  details: Map<string, Map<string, GrantDetail>>;
}

/** Splits a member's ledger rows between its current account and the accounts to revoke. */
export function memberAccounts(
  entry: SyncEntry,
  grants: readonly (Grant & Partial<Pick<LedgerRow, "origin" | "lapsedAt">>)[],
): MemberAccounts {
  const current = entry.deleted ? null : entry.discordUserId;
  const result: MemberAccounts = {
    current,
    currentGrants: new Set(),
    previous: new Map(),
    cause: entry.deleted ? "deleted" : current === null ? "unlinked" : "relinked",
    details: new Map(),
  };
  for (const g of grants) {
    if (g.memberId !== entry.memberId) continue;
    const byRole = result.details.get(g.discordUserId) ?? new Map<string, GrantDetail>();
    byRole.set(g.roleId, { origin: g.origin ?? "granted", lapsedAt: g.lapsedAt ?? null });
    result.details.set(g.discordUserId, byRole);
    if (g.discordUserId === current) {
      result.currentGrants.add(g.roleId);
      continue;
    }
    const roles = result.previous.get(g.discordUserId) ?? new Set<string>();
    roles.add(g.roleId);
    result.previous.set(g.discordUserId, roles);
  }
  return result;
}
