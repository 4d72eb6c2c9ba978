import { z } from "zod";

const nstr = z
  .string()
  .nullish()
  .transform((v) => v ?? null);

/**
 * PluralKit's System model as an unauthenticated caller sees it (private fields are null).
 *
 * @see https://pluralkit.me/api/models/#system-model
 */
export const pluralKitSystemSchema = z.object({
  id: z.string(),
  uuid: z.string(),
  name: nstr,
  description: nstr,
  tag: nstr,
  pronouns: nstr,
  avatar_url: nstr,
  banner: nstr,
  color: nstr,
  created: nstr,
});

/**
 * PluralKit's Member model (public view).
 *
 * @see https://pluralkit.me/api/models/#member-model
 */
export const pluralKitMemberSchema = z.object({
  id: z.string(),
  uuid: z.string(),
  name: z.string(),
  display_name: nstr,
  color: nstr,
  birthday: nstr,
  pronouns: nstr,
  avatar_url: nstr,
  webhook_avatar_url: nstr,
  banner: nstr,
  description: nstr,
  created: nstr,
  keep_proxy: z
    .boolean()
    .nullish()
    .transform((v) => v ?? false),
  proxy_tags: z
    .array(z.object({ prefix: nstr, suffix: nstr }))
    .nullish()
    .transform((v) => v ?? []),
});

/**
 * PluralKit's Message model (`GET /v2/messages/{id}`). `original` is normalised to null when
 * PluralKit does not know it (it sends an empty string).
 *
 * @see https://pluralkit.me/api/models/#message-model
 */
export const pluralKitMessageSchema = z.object({
  timestamp: z.string(),
  id: z.string(),
  original: z
    .string()
    .nullish()
    .transform((v) => (v ? v : null)),
  sender: z.string(),
  channel: z.string(),
  guild: nstr,
  system: pluralKitSystemSchema.nullable(),
  member: pluralKitMemberSchema.nullable(),
});

/** A PluralKit system (public view). */
export type PluralKitSystem = z.output<typeof pluralKitSystemSchema>;
/** A PluralKit member (public view). */
export type PluralKitMember = z.output<typeof pluralKitMemberSchema>;
/** A proxied message as PluralKit records it; `system` and `member` are null when deleted. */
export type PluralKitMessage = z.output<typeof pluralKitMessageSchema>;

/** PluralKit's error body: `{ message, code, retry_after? }`. */
export const pluralKitErrorSchema = z.object({
  message: z.string().optional(),
  code: z.number().optional(),
  retry_after: z.number().optional(),
});
