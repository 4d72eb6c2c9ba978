import type { AllowedMentions } from "./webhook-body";

/** What a message pings after Allowed Mentions are applied. */
export interface ResolvedMentions {
  users: string[];
  roles: string[];
  everyone: boolean;
}

/** Webhooks and interactions parse only user mentions unless told otherwise. */
export const WEBHOOK_DEFAULT_ALLOWED_MENTIONS: AllowedMentions = { parse: ["users"] };

/**
 * Applies Allowed Mentions to `content`: a mention pings only when it appears in the content and
 * its kind is in `parse` or its id is listed; `@everyone`/`@here` need `"everyone"` in `parse`.
 * An object without `parse` parses nothing but what its lists name.
 */
export function resolveMentions(
  content: string,
  allowed: AllowedMentions | null | undefined,
): ResolvedMentions {
  const rules = allowed ?? WEBHOOK_DEFAULT_ALLOWED_MENTIONS;
  const parse = new Set(rules.parse ?? []);
  const listedUsers = new Set(rules.users ?? []);
  const listedRoles = new Set(rules.roles ?? []);
  const users: string[] = [];
  const roles: string[] = [];
  for (const match of content.matchAll(/<@!?(\d{1,20})>/g)) {
    const id = match[1] ?? "";
    if ((parse.has("users") || listedUsers.has(id)) && !users.includes(id)) users.push(id);
  }
  for (const match of content.matchAll(/<@&(\d{1,20})>/g)) {
    const id = match[1] ?? "";
    if ((parse.has("roles") || listedRoles.has(id)) && !roles.includes(id)) roles.push(id);
  }
  const everyone = parse.has("everyone") && /@(everyone|here)\b/.test(content);
  return { users, roles, everyone };
}
