import { type core, z } from "zod";
import type { FormErrorLeaf } from "./errors";

const text = (max: number) => z.string().max(max).nullish();

const allowedMentionsSchema = z
  .looseObject({
    parse: z.array(z.enum(["users", "roles", "everyone"])).nullish(),
    users: z.array(z.string()).max(100).nullish(),
    roles: z.array(z.string()).max(100).nullish(),
    replied_user: z.boolean().nullish(),
  })
  .superRefine((value, ctx) => {
    for (const kind of ["users", "roles"] as const) {
      if (value.parse?.includes(kind) && (value[kind]?.length ?? 0) > 0) {
        ctx.addIssue({
          code: "custom",
          path: [],
          message: `parse:["${kind}"] and ${kind}: [ids...] are mutually exclusive.`,
          params: { discordCode: "MESSAGE_ALLOWED_MENTIONS_PARSE_EXCLUSIVE" },
        });
      }
    }
  });

const embedSchema = z.looseObject({
  title: text(256),
  description: text(4096),
  url: z.string().nullish(),
  color: z.number().int().min(0).max(0xffffff).nullish(),
  timestamp: z.string().nullish(),
  footer: z.looseObject({ text: z.string().min(1).max(2048), icon_url: z.string().nullish() }).nullish(),
  author: z.looseObject({ name: z.string().min(1).max(256), url: z.string().nullish() }).nullish(),
  fields: z
    .array(
      z.looseObject({
        name: z.string().min(1).max(256),
        value: z.string().min(1).max(1024),
        inline: z.boolean().nullish(),
      }),
    )
    .max(25)
    .nullish(),
});

/** Parsed Allowed Mentions object. */
export type AllowedMentions = z.infer<typeof allowedMentionsSchema>;

/** Characters an embed counts towards the 6,000 total. */
function embedSize(embed: z.infer<typeof embedSchema>): number {
  let size = (embed.title?.length ?? 0) + (embed.description?.length ?? 0);
  size += (embed.footer?.text.length ?? 0) + (embed.author?.name.length ?? 0);
  for (const field of embed.fields ?? []) size += field.name.length + field.value.length;
  return size;
}

const embedsSchema = z
  .array(embedSchema)
  .max(10)
  .nullish()
  .superRefine((embeds, ctx) => {
    const total = (embeds ?? []).reduce((sum, e) => sum + embedSize(e), 0);
    if (total > 6000) {
      ctx.addIssue({
        code: "custom",
        path: [],
        message: "Embed size exceeds maximum size of 6000",
        params: { discordCode: "MAX_EMBED_SIZE_EXCEEDED" },
      });
    }
  });

/** The Execute Webhook JSON body (the fields the simulator checks; others pass through). */
export const executeWebhookSchema = z.looseObject({
  content: text(2000),
  username: z
    .string()
    .min(1)
    .max(80)
    .nullish()
    .superRefine((name, ctx) => {
      const lower = (name ?? "").toLowerCase();
      for (const word of ["discord", "clyde"]) {
        if (lower.includes(word)) {
          ctx.addIssue({
            code: "custom",
            path: [],
            message: `Username cannot contain "${word}"`,
            params: { discordCode: "USERNAME_INVALID_CONTAINS" },
          });
        }
      }
    }),
  avatar_url: z.string().max(2048).nullish(),
  tts: z.boolean().nullish(),
  embeds: embedsSchema,
  allowed_mentions: allowedMentionsSchema.nullish(),
  components: z.array(z.unknown()).nullish(),
  attachments: z.array(z.unknown()).nullish(),
  flags: z.number().int().nullish(),
  thread_name: z.string().min(1).max(100).nullish(),
  applied_tags: z.array(z.string()).nullish(),
  poll: z.unknown().optional(),
});

/** The Edit Webhook Message JSON body. */
export const editWebhookMessageSchema = z.looseObject({
  content: text(2000),
  embeds: embedsSchema,
  allowed_mentions: allowedMentionsSchema.nullish(),
  components: z.array(z.unknown()).nullish(),
  attachments: z.array(z.unknown()).nullish(),
  flags: z.number().int().nullish(),
});

function describe(value: unknown): string {
  return typeof value === "string" ? value : JSON.stringify(value);
}

/** Maps a zod issue to Discord's 50035 leaf (code and message). */
export function toDiscordIssue(issue: core.$ZodIssue): { path: (string | number)[]; leaf: FormErrorLeaf } {
  const path = issue.path.map((p) => (typeof p === "number" ? p : String(p)));
  const leaf = ((): FormErrorLeaf => {
    switch (issue.code) {
      case "too_big":
        return issue.origin === "number" || issue.origin === "int"
          ? {
              code: "NUMBER_TYPE_MAX",
              message: `int value should be less than or equal to ${issue.maximum}.`,
            }
          : { code: "BASE_TYPE_MAX_LENGTH", message: `Must be ${issue.maximum} or fewer in length.` };
      case "too_small":
        return issue.origin === "number" || issue.origin === "int"
          ? {
              code: "NUMBER_TYPE_MIN",
              message: `int value should be greater than or equal to ${issue.minimum}.`,
            }
          : issue.minimum === 1
            ? { code: "BASE_TYPE_REQUIRED", message: "This field is required" }
            : { code: "BASE_TYPE_MIN_LENGTH", message: `Must be ${issue.minimum} or more in length.` };
      case "invalid_type":
        if (issue.input === undefined)
          return { code: "BASE_TYPE_REQUIRED", message: "This field is required" };
        switch (issue.expected) {
          case "string":
            return {
              code: "BASE_TYPE_STRING",
              message: `Could not interpret "${describe(issue.input)}" as string.`,
            };
          case "boolean":
            return { code: "BASE_TYPE_BOOLEAN", message: "Must be either true or false." };
          case "number":
          case "int":
            return { code: "NUMBER_TYPE_COERCE", message: `Value "${describe(issue.input)}" is not int.` };
          case "array":
            return { code: "LIST_TYPE_CONVERT", message: "Only iterables may be used in a ListType" };
          default:
            return { code: "DICT_TYPE_CONVERT", message: "Only dictionaries may be used in a DictType" };
        }
      case "invalid_value":
        return {
          code: "BASE_TYPE_CHOICES",
          message: `Value must be one of {${issue.values.map((v) => `'${String(v)}'`).join(", ")}}.`,
        };
      case "custom": {
        const code =
          (issue.params as { discordCode?: string } | undefined)?.discordCode ?? "BASE_TYPE_INVALID";
        return { code, message: issue.message };
      }
      default:
        return { code: "BASE_TYPE_INVALID", message: issue.message };
    }
  })();
  return { path, leaf };
}
