import { z } from "zod";

/**
 * zod schemas for the Discord objects this client returns. They check the fields guildkit relies on
 * and keep every other field (loose objects), so a new Discord field never breaks a call.
 */

const snowflake = z.string().regex(/^\d{1,20}$/, "expected a snowflake string");

/** @see https://discord.com/developers/docs/resources/user#user-object */
export const userSchema = z.looseObject({
  id: snowflake,
  username: z.string(),
  discriminator: z.string().optional(),
  global_name: z.string().nullish(),
  avatar: z.string().nullish(),
  bot: z.boolean().optional(),
});

/** @see https://discord.com/developers/docs/resources/guild#guild-member-object */
export const guildMemberSchema = z.looseObject({
  user: userSchema,
  nick: z.string().nullish(),
  avatar: z.string().nullish(),
  roles: z.array(snowflake),
  joined_at: z.string().nullable(),
  deaf: z.boolean().optional(),
  mute: z.boolean().optional(),
  flags: z.number().optional(),
  pending: z.boolean().optional(),
});

/** @see https://discord.com/developers/docs/topics/permissions#role-object */
export const roleSchema = z.looseObject({
  id: snowflake,
  name: z.string(),
  position: z.number(),
  permissions: z.string(),
  managed: z.boolean().optional(),
  color: z.number().optional(),
  hoist: z.boolean().optional(),
  mentionable: z.boolean().optional(),
});

/** @see https://discord.com/developers/docs/resources/webhook#webhook-object */
export const webhookSchema = z.looseObject({
  id: snowflake,
  type: z.number(),
  channel_id: snowflake.nullable(),
  guild_id: snowflake.nullish(),
  name: z.string().nullable(),
  avatar: z.string().nullish(),
  token: z.string().optional(),
  application_id: snowflake.nullable().optional(),
});

/** @see https://discord.com/developers/docs/resources/message#message-object */
export const messageSchema = z.looseObject({
  id: snowflake,
  channel_id: snowflake,
  content: z.string(),
  author: z.looseObject({ id: snowflake, username: z.string() }),
  timestamp: z.string(),
  webhook_id: snowflake.optional(),
});

/** @see https://discord.com/developers/docs/topics/oauth2#authorization-code-grant-access-token-response */
export const tokenResponseSchema = z.looseObject({
  access_token: z.string().min(1),
  token_type: z.string(),
  expires_in: z.number(),
  refresh_token: z.string().optional(),
  scope: z.string(),
});

/** `/users/@me` with a Bearer token (with the `email` scope: `email` and `verified`). */
export const currentUserSchema = z.looseObject({
  id: snowflake,
  username: z.string(),
  global_name: z.string().nullish(),
  avatar: z.string().nullish(),
  email: z.string().nullish(),
  verified: z.boolean().optional(),
});

/** RFC 6749 error body of the token endpoint. */
export const oauthErrorSchema = z.looseObject({
  error: z.string(),
  error_description: z.string().optional(),
});

/** Discord's JSON error body `{ code, message, errors? }`. */
export const apiErrorSchema = z.looseObject({
  code: z.number().optional(),
  message: z.string().optional(),
  errors: z.unknown().optional(),
});

/** Lists zod issues as `path: message` lines (no values, so no secrets). */
export function describeIssues(error: z.ZodError): string[] {
  return error.issues.slice(0, 10).map((issue) => {
    const path = issue.path.length > 0 ? issue.path.join(".") : "(root)";
    return `${path}: ${issue.message}`;
  });
}
