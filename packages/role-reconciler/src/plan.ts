import { desiredRoles, type EntitlementRule } from "./entitlement";
import type { Grant, MemberAttributes, SyncEntry } from "./ports";

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

/** What to do on one Discord account. */
export interface AccountPlan {
  discordUserId: string;
  relation: AccountRelation;
  inGuild: boolean;
  add: PlannedRoleChange[];
  remove: PlannedRoleChange[];
  /** Ledger rows to record before any call (so a crash mid-way cannot leak a role). */
  grantsBefore: Grant[];
  /** Ledger rows to forget once the calls succeeded. */
  forgetAfter: Grant[];
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
  /** Roles the account holds in the guild, or `null` when it is not in the guild. */
  held: readonly string[] | null;
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

/**
 * Plans one account: only what differs is changed, only managed roles are touched.
 *
 * - Current account: it should hold the union of its linked members' entitlements; missing roles
 *   are added, managed roles nobody is entitled to are removed, and so are roles the ledger
 *   recorded for this member that the rules no longer grant (a role replaced in the settings).
 * - Previous account: only the roles the ledger says it got on account of this member are
 *   revoked, unless a member still linked to it is entitled to them.
 *
 * Not in the guild: no call at all; the member's ledger rows for the account are forgotten (an
 * account that left holds no roles).
 */
export function planAccount(input: AccountPlanInput): AccountPlan {
  const { discordUserId, memberId, relation } = input;
  const linked = relation === "previous" ? input.linked.filter((m) => m.memberId !== memberId) : input.linked;
  const desired = desiredRoles(input.rules, linked);
  const plan: AccountPlan = {
    discordUserId,
    relation,
    inGuild: input.held !== null,
    add: [],
    remove: [],
    grantsBefore: [],
    forgetAfter: [],
  };
  const grant = (who: string, roleId: string): Grant => ({ memberId: who, discordUserId, roleId });

  if (input.held === null) {
    for (const roleId of input.ownGrants) plan.forgetAfter.push(grant(memberId, roleId));
    return plan;
  }
  // Roles the ledger holds for this member count as ours even if the rules stopped naming them
  // (a role replaced in the settings is revoked, not left behind).
  const held = new Set(
    input.held.filter((roleId) => input.managed.has(roleId) || input.ownGrants.has(roleId)),
  );

  if (relation === "current") {
    for (const [roleId, why] of desired) {
      if (held.has(roleId)) {
        if (why.memberIds.includes(memberId) && !input.ownGrants.has(roleId)) {
          plan.grantsBefore.push(grant(memberId, roleId));
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
      for (const who of why.memberIds) plan.grantsBefore.push(grant(who, roleId));
    }
    for (const roleId of held) {
      if (desired.has(roleId)) continue;
      plan.remove.push({
        discordUserId,
        roleId,
        action: "remove",
        memberIds: [memberId],
        reason: auditReason(
          !input.managed.has(roleId)
            ? `guildkit: role ${roleId} is no longer granted by the role settings (member ${memberId})`
            : linked.length > 1
              ? `guildkit: none of ${memberList(linked.map((m) => m.memberId))} is entitled`
              : `guildkit: member ${memberId} is no longer entitled`,
        ),
      });
    }
    for (const roleId of input.ownGrants) {
      if (!desired.get(roleId)?.memberIds.includes(memberId)) plan.forgetAfter.push(grant(memberId, roleId));
    }
    return plan;
  }

  const reason = auditReason(previousReason(input.cause ?? "unlinked", memberId));
  for (const roleId of input.ownGrants) {
    plan.forgetAfter.push(grant(memberId, roleId));
    if (!held.has(roleId)) continue;
    const still = desired.get(roleId);
    if (still) {
      // Another linked member is entitled: the role stays, now on that member's account.
      for (const who of still.memberIds) plan.grantsBefore.push(grant(who, roleId));
      continue;
    }
    plan.remove.push({ discordUserId, roleId, action: "remove", memberIds: [memberId], reason });
  }
  return plan;
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
}

/** Splits a member's ledger rows between its current account and the accounts to revoke. */
export function memberAccounts(entry: SyncEntry, grants: readonly Grant[]): MemberAccounts {
  const current = entry.deleted ? null : entry.discordUserId;
  const result: MemberAccounts = {
    current,
    currentGrants: new Set(),
    previous: new Map(),
    cause: entry.deleted ? "deleted" : current === null ? "unlinked" : "relinked",
  };
  for (const g of grants) {
    if (g.memberId !== entry.memberId) continue;
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
