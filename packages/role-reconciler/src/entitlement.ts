import { z } from "zod";
import { EntitlementRulesError } from "./errors";
import type { MemberAttributes } from "./ports";

/** A Discord snowflake: 17 to 20 digits. */
export const snowflakeSchema = z.string().regex(/^\d{17,20}$/, "must be a Discord id (17–20 digits)");

/** A member column a rule reads: a lower-case SQL identifier, safe to quote into a query. */
export const columnNameSchema = z
  .string()
  .regex(/^[a-z_][a-z0-9_]{0,62}$/, "must be a lower-case column name (letters, digits, _)");

/**
 * A trial state of a rule (like Memberful's "trial role"): a member whose `column` (default: the
 * rule's own column) equals one of `values` is on trial, and the rule grants `roleIds` **instead of**
 * its usual roles — e.g. `payment_status = "trialing"` gets the trial role, not the paid one.
 * Values compare as trimmed strings (case-insensitively when the rule says `ignoreCase`).
 */
export const trialSchema = z.object({
  column: columnNameSchema.optional(),
  values: z.array(z.string().trim().min(1)).min(1),
  roleIds: z.array(snowflakeSchema).min(1),
});

/**
 * "A member whose `column` holds a value gets `roleIds`." A value counts when it is a non-blank
 * string, a non-zero number or `true`; `null`, `""`, `0` and `false` do not.
 */
export const presentRuleSchema = z.object({
  kind: z.literal("present"),
  column: columnNameSchema,
  roleIds: z.array(snowflakeSchema).min(1),
  /** Optional trial state: its roles replace `roleIds` while the member is on trial. */
  trial: trialSchema.optional(),
  /** Compare the trial values case-insensitively (default false). */
  ignoreCase: z.boolean().optional(),
});

/**
 * "A member whose `column` equals a key of `values` gets that key's roles" — e.g. a tier column
 * mapping `gold` to two roles and `silver` to one. Values compare as trimmed strings.
 */
export const mapRuleSchema = z.object({
  kind: z.literal("map"),
  column: columnNameSchema,
  values: z.record(z.string().min(1), z.array(snowflakeSchema).min(1)),
  /** Compare case-insensitively (default false). */
  ignoreCase: z.boolean().optional(),
  /** Optional trial state: its roles replace the value's roles while the member is on trial. */
  trial: trialSchema.optional(),
});

/** One entitlement rule (configuration data, validated with zod). */
export const entitlementRuleSchema = z.discriminatedUnion("kind", [presentRuleSchema, mapRuleSchema]);

/** A list of rules; a member is entitled to the union of what every rule grants. */
export const entitlementRulesSchema = z.array(entitlementRuleSchema).min(1);

/** See {@link trialSchema}. */
export type TrialState = z.infer<typeof trialSchema>;
/** See {@link presentRuleSchema}. */
export type PresentRule = z.infer<typeof presentRuleSchema>;
/** See {@link mapRuleSchema}. */
export type MapRule = z.infer<typeof mapRuleSchema>;
/** One entitlement rule. */
export type EntitlementRule = z.infer<typeof entitlementRuleSchema>;

/** The column of the default rule, as in the seed system's members table. */
export const DEFAULT_ENTITLEMENT_COLUMN = "payment_status";

/**
 * The default rule: a member with a non-empty `payment_status` holds `roleIds`.
 * @example defaultRules(["1200000000000000001"])
 */
export function defaultRules(roleIds: readonly string[]): EntitlementRule[] {
  return [{ kind: "present", column: DEFAULT_ENTITLEMENT_COLUMN, roleIds: [...roleIds] }];
}

/**
 * Validates rules given as configuration data; with no rules, builds the default rule from
 * `roleIds`. Throws {@link EntitlementRulesError} with every problem found.
 */
export function resolveRules(input: {
  roleIds?: readonly string[] | null;
  rules?: unknown;
}): EntitlementRule[] {
  const raw =
    input.rules === undefined || input.rules === null ? defaultRules(input.roleIds ?? []) : input.rules;
  const parsed = entitlementRulesSchema.safeParse(raw);
  if (!parsed.success) {
    throw new EntitlementRulesError(
      parsed.error.issues.map((issue) => `${issue.path.join(".") || "rules"}: ${issue.message}`),
    );
  }
  return parsed.data;
}

/** Every role id the rules can grant: the roles the reconciler manages (others are never touched). */
export function managedRoles(rules: readonly EntitlementRule[]): Set<string> {
  const roles = new Set<string>();
  for (const rule of rules) {
    const lists = rule.kind === "present" ? [rule.roleIds] : Object.values(rule.values);
    if (rule.trial) lists.push(rule.trial.roleIds);
    for (const list of lists) for (const roleId of list) roles.add(roleId);
  }
  return roles;
}

/** The member columns the rules read (what a store must return and watch with its triggers). */
export function ruleColumns(rules: readonly EntitlementRule[]): string[] {
  const columns = rules.flatMap((rule) => [rule.column, rule.trial?.column ?? rule.column]);
  return [...new Set(columns)].sort();
}

function isPresent(value: unknown): boolean {
  if (value === null || value === undefined) return false;
  if (typeof value === "string") return value.trim() !== "";
  if (typeof value === "number") return value !== 0 && !Number.isNaN(value);
  if (typeof value === "boolean") return value;
  if (typeof value === "bigint") return value !== 0n;
  return true;
}

function asComparable(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  if (typeof value === "string") return value.trim();
  if (typeof value === "number" || typeof value === "boolean" || typeof value === "bigint")
    return String(value);
  return null;
}

/**
 * The roles one member is entitled to, each with a short reason (`payment_status is set`,
 * `tier = "gold"`).
 */
export function entitledRoles(
  rules: readonly EntitlementRule[],
  attributes: MemberAttributes,
): Map<string, string> {
  const roles = new Map<string, string>();
  const grant = (roleIds: readonly string[], reason: string) => {
    for (const roleId of roleIds) if (!roles.has(roleId)) roles.set(roleId, reason);
  };
  for (const rule of rules) {
    const trial = onTrial(rule, attributes);
    if (trial !== null) {
      grant(trial.roleIds, trial.reason);
      continue;
    }
    const value = attributes[rule.column];
    if (rule.kind === "present") {
      if (!isPresent(value)) continue;
      for (const roleId of rule.roleIds) if (!roles.has(roleId)) roles.set(roleId, `${rule.column} is set`);
      continue;
    }
    const text = asComparable(value);
    if (text === null) continue;
    for (const [key, roleIds] of Object.entries(rule.values)) {
      const match = rule.ignoreCase ? key.trim().toLowerCase() === text.toLowerCase() : key.trim() === text;
      if (!match) continue;
      for (const roleId of roleIds)
        if (!roles.has(roleId)) roles.set(roleId, `${rule.column} = ${JSON.stringify(text)}`);
    }
  }
  return roles;
}

/** The rule's trial roles and reason when the member is on trial under it, else `null`. */
function onTrial(
  rule: EntitlementRule,
  attributes: MemberAttributes,
): { roleIds: readonly string[]; reason: string } | null {
  if (!rule.trial) return null;
  const column = rule.trial.column ?? rule.column;
  const text = asComparable(attributes[column]);
  if (text === null || text === "") return null;
  const same = (key: string) => (rule.ignoreCase ? key.toLowerCase() === text.toLowerCase() : key === text);
  if (!rule.trial.values.some((value) => same(value.trim()))) return null;
  return { roleIds: rule.trial.roleIds, reason: `${column} = ${JSON.stringify(text)} (trial)` };
}

/**
 * Where a member stands under the rules: `trial` when some rule grants it its trial roles and no
 * rule grants it a paid role, `paid` when any rule grants a role outside a trial, else `none`.
 */
export function entitlementState(
  rules: readonly EntitlementRule[],
  attributes: MemberAttributes,
): "paid" | "trial" | "none" {
  const reasons = [...entitledRoles(rules, attributes).values()];
  if (reasons.length === 0) return "none";
  return reasons.every((reason) => reason.endsWith("(trial)")) ? "trial" : "paid";
}

/** Why an account should hold a role: the members entitled to it and their reasons. */
export interface RoleEntitlement {
  memberIds: string[];
  reasons: string[];
}

/**
 * The roles a Discord account should hold: the **union** of the entitlements of every member linked
 * to it.
 *
 * Why the union: when two member rows link the same Discord account (a legacy database without a
 * unique index, a shared family account), evaluating each member on its own would make the role
 * flap — one member's sync adds it, the other's removes it, forever. The union is the only rule
 * that is stable whatever order members are processed in, and it matches intent: the account has
 * paid access through at least one member. Losing the role then requires every linked member to
 * lose it (or to unlink).
 */
export function desiredRoles(
  rules: readonly EntitlementRule[],
  members: readonly { memberId: string; attributes: MemberAttributes }[],
): Map<string, RoleEntitlement> {
  const desired = new Map<string, RoleEntitlement>();
  for (const member of members) {
    for (const [roleId, reason] of entitledRoles(rules, member.attributes)) {
      const entry = desired.get(roleId) ?? { memberIds: [], reasons: [] };
      if (!entry.memberIds.includes(member.memberId)) {
        entry.memberIds.push(member.memberId);
        entry.reasons.push(reason);
      }
      desired.set(roleId, entry);
    }
  }
  return desired;
}
