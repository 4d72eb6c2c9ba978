import { z } from "zod";
import { DiscordSimError } from "./errors";
import type {
  SimApplication,
  SimBan,
  SimChannel,
  SimGuild,
  SimMember,
  SimRole,
  SimRoleConnection,
  SimRoleConnectionMetadata,
  SimSeed,
  SimUser,
  SimWebhook,
} from "./types";

const snowflake = z.string().regex(/^\d{1,20}$/, "must be a snowflake (decimal string)");

/** `POST /_sim/seed/application` body. */
export const applicationSeedSchema = z.object({
  clientId: snowflake.optional(),
  clientSecret: z.string().min(1).optional(),
  redirectUris: z.array(z.url()).optional(),
  botToken: z.string().min(1).optional(),
  botUserId: snowflake.optional(),
  name: z.string().min(1).optional(),
  publicClient: z.boolean().optional(),
  membersIntent: z.boolean().optional(),
  presenceIntent: z.boolean().optional(),
  messageContentIntent: z.boolean().optional(),
  verified: z.boolean().optional(),
  roleConnectionsVerificationUrl: z.url().nullable().optional(),
  description: z.string().optional(),
  ownerId: snowflake.optional(),
  extraFlags: z.number().int().min(0).optional(),
});

/** `POST /_sim/seed/user` body. */
export const userSeedSchema = z.object({
  id: snowflake.optional(),
  username: z.string().min(1).max(32),
  global_name: z.string().nullable().optional(),
  avatar: z.string().nullable().optional(),
  email: z.string().nullable().optional(),
  verified: z.boolean().optional(),
  bot: z.boolean().optional(),
  otherGuildCount: z.number().int().min(0).optional(),
  maxGuilds: z.number().int().min(1).optional(),
});

/** `POST /_sim/seed/guild` body. */
export const guildSeedSchema = z.object({
  id: snowflake.optional(),
  name: z.string().optional(),
  botUserId: snowflake.optional(),
  botRolePosition: z.number().int().min(1).optional(),
  botRoleId: snowflake.optional(),
  membersIntent: z.boolean().optional(),
  ownerId: snowflake.optional(),
  botPermissions: z.string().regex(/^\d+$/).optional(),
  everyonePermissions: z.string().regex(/^\d+$/).optional(),
  botInGuild: z.boolean().optional(),
});

/** `POST /_sim/seed/ban` body. */
export const banSeedSchema = z.object({
  guildId: snowflake,
  userId: snowflake,
  reason: z.string().nullable().optional(),
});

/** `POST /_sim/seed/oauth-grant` body (answers the token response). */
export const oauthGrantSeedSchema = z.object({
  userId: snowflake,
  scopes: z.array(z.string().min(1)).min(1),
  clientId: snowflake.optional(),
  expiresInSeconds: z.number().int().min(0).optional(),
});

/** `POST /_sim/seed/role-connection-metadata` body (records are checked like the Discord route). */
export const roleConnectionMetadataSeedSchema = z.object({
  applicationId: snowflake,
  records: z.array(z.unknown()),
});

/** `POST /_sim/seed/role-connection` body. */
export const roleConnectionSeedSchema = z.object({
  applicationId: snowflake,
  userId: snowflake,
  platformName: z.string().nullable().optional(),
  platformUsername: z.string().nullable().optional(),
  metadata: z.record(z.string(), z.string()).optional(),
});

/** `POST /_sim/seed/role` body. */
export const roleSeedSchema = z.object({
  id: snowflake.optional(),
  guildId: snowflake,
  name: z.string().min(1),
  position: z.number().int().min(0),
  permissions: z.string().regex(/^\d+$/).optional(),
  managed: z.boolean().optional(),
  mentionable: z.boolean().optional(),
  color: z.number().int().min(0).optional(),
  hoist: z.boolean().optional(),
});

/** `POST /_sim/seed/member` body. */
export const memberSeedSchema = z.object({
  guildId: snowflake,
  userId: snowflake,
  nick: z.string().nullable().optional(),
  avatar: z.string().nullable().optional(),
  roles: z.array(snowflake).optional(),
  joinedAt: z.string().optional(),
});

/** `POST /_sim/seed/members` body: `roles` is given to every seeded member. */
export const bulkMembersSeedSchema = z.object({
  guildId: snowflake,
  count: z.number().int().min(0).max(2_000_000),
  roles: z.array(snowflake).optional(),
  idStart: snowflake.optional(),
  avatars: z.boolean().optional(),
});

/** `POST /_sim/seed/channel` body. */
export const channelSeedSchema = z.object({
  id: snowflake.optional(),
  guildId: snowflake,
  parentId: snowflake.nullable().optional(),
  name: z.string().optional(),
});

/** `POST /_sim/seed/webhook` body. */
export const webhookSeedSchema = z.object({
  id: snowflake.optional(),
  token: z.string().min(1).optional(),
  channelId: snowflake,
  guildId: snowflake.nullable().optional(),
  name: z.string().optional(),
  avatar: z.string().nullable().optional(),
  applicationId: snowflake.nullable().optional(),
  type: z.union([z.literal(1), z.literal(2), z.literal(3)]).optional(),
});

const pkSystemSchema = z.object({
  id: z.string(),
  uuid: z.string(),
  name: z.string().nullable(),
  tag: z.string().nullable(),
  avatar_url: z.string().nullable(),
  description: z.string().nullable().optional(),
  pronouns: z.string().nullable().optional(),
  banner: z.string().nullable().optional(),
  color: z.string().nullable().optional(),
  created: z.string().optional(),
});

const pkMemberSchema = z.object({
  id: z.string(),
  uuid: z.string(),
  name: z.string(),
  display_name: z.string().nullable(),
  pronouns: z.string().nullable(),
  avatar_url: z.string().nullable(),
  webhook_avatar_url: z.string().nullable(),
  color: z.string().nullable(),
  description: z.string().nullable().optional(),
  birthday: z.string().nullable().optional(),
  banner: z.string().nullable().optional(),
  created: z.string().nullable().optional(),
  proxy_tags: z.array(z.object({ prefix: z.string().nullable(), suffix: z.string().nullable() })).optional(),
});

/** `POST /_sim/seed/pk-message` body. */
export const pkMessageSeedSchema = z.object({
  id: snowflake,
  original: z.string().default(""),
  sender: snowflake,
  channel: snowflake,
  guild: snowflake.nullable().default(null),
  system: pkSystemSchema.nullable().default(null),
  member: pkMemberSchema.nullable().default(null),
  at: z.number().optional(),
});

/** A whole seed in one document (`POST /_sim/seed`, `--seed <file.json>`), applied in key order. */
export const seedBatchSchema = z.object({
  applications: z.array(applicationSeedSchema).optional(),
  users: z.array(userSeedSchema).optional(),
  guilds: z.array(guildSeedSchema).optional(),
  roles: z.array(roleSeedSchema).optional(),
  members: z.array(memberSeedSchema).optional(),
  bulkMembers: z.array(bulkMembersSeedSchema).optional(),
  channels: z.array(channelSeedSchema).optional(),
  webhooks: z.array(webhookSeedSchema).optional(),
  pkMessages: z.array(pkMessageSeedSchema).optional(),
  authorizingUser: snowflake.optional(),
  bans: z.array(banSeedSchema).optional(),
  roleConnectionMetadata: z.array(roleConnectionMetadataSeedSchema).optional(),
  roleConnections: z.array(roleConnectionSeedSchema).optional(),
});

/** A seed document. */
export type SeedBatch = z.input<typeof seedBatchSchema>;

/** Summary of a bulk member seed (the members themselves stay in the simulator). */
export interface BulkMembersSummary {
  guildId: string;
  count: number;
  firstUserId: string | null;
  lastUserId: string | null;
}

/** What a seed document created. */
export interface SeedBatchResult {
  applications: SimApplication[];
  users: SimUser[];
  guilds: SimGuild[];
  roles: SimRole[];
  members: SimMember[];
  bulkMembers: BulkMembersSummary[];
  channels: SimChannel[];
  webhooks: SimWebhook[];
  pkMessages: number;
  bans: SimBan[];
  roleConnectionMetadata: { applicationId: string; records: SimRoleConnectionMetadata[] }[];
  roleConnections: SimRoleConnection[];
}

/** Parses `input` with `schema`, throwing `DiscordSimError("invalid_seed")` with zod's explanation. */
export function parseSeed<T extends z.ZodType>(schema: T, input: unknown): z.output<T> {
  const parsed = schema.safeParse(input);
  if (!parsed.success) throw new DiscordSimError("invalid_seed", z.prettifyError(parsed.error));
  return parsed.data;
}

/** Seeds many members and returns a summary. */
export function seedBulkMembers(
  seed: SimSeed,
  input: z.output<typeof bulkMembersSeedSchema>,
): BulkMembersSummary {
  const roles = input.roles;
  const members = seed.members({
    guildId: input.guildId,
    count: input.count,
    ...(roles ? { roles: () => roles } : {}),
    ...(input.idStart ? { idStart: BigInt(input.idStart) } : {}),
    ...(input.avatars !== undefined ? { avatars: input.avatars } : {}),
  });
  return {
    guildId: input.guildId,
    count: members.length,
    firstUserId: members[0]?.userId ?? null,
    lastUserId: members[members.length - 1]?.userId ?? null,
  };
}

/**
 * Applies a seed document in order: applications, users, guilds, roles, members, bulk members,
 * channels, webhooks, PK messages, the authorizing user, bans, role connection metadata, role connections.
 */
export function applySeedBatch(seed: SimSeed, input: unknown): SeedBatchResult {
  const batch = parseSeed(seedBatchSchema, input);
  const result: SeedBatchResult = {
    applications: (batch.applications ?? []).map((a) => seed.application(a)),
    users: (batch.users ?? []).map((u) => seed.user(u)),
    guilds: (batch.guilds ?? []).map((g) => seed.guild(g)),
    roles: (batch.roles ?? []).map((r) => seed.role(r)),
    members: (batch.members ?? []).map((m) => seed.member(m)),
    bulkMembers: (batch.bulkMembers ?? []).map((b) => seedBulkMembers(seed, b)),
    channels: (batch.channels ?? []).map((ch) => seed.channel(ch)),
    webhooks: (batch.webhooks ?? []).map((w) => seed.webhook(w)),
    pkMessages: 0,
    bans: [],
    roleConnectionMetadata: [],
    roleConnections: [],
  };
  for (const message of batch.pkMessages ?? []) {
    seed.pkMessage(message);
    result.pkMessages += 1;
  }
  if (batch.authorizingUser) seed.authorizingUser(batch.authorizingUser);
  result.bans = (batch.bans ?? []).map((b) => seed.ban(b));
  result.roleConnectionMetadata = (batch.roleConnectionMetadata ?? []).map(({ applicationId, records }) => ({
    applicationId,
    records: seed.roleConnectionMetadata(applicationId, records as SimRoleConnectionMetadata[]),
  }));
  result.roleConnections = (batch.roleConnections ?? []).map((r) => seed.roleConnection(r));
  return result;
}
