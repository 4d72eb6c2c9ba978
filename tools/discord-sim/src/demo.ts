import type { SimApplication, SimSeed, SimWebhook } from "./types";

/** Fixed ids and credentials of the demo world (development only — not secrets). */
export const DEMO = {
  clientId: "1300000000000000001",
  clientSecret: "guildkit-dev-client-secret",
  botToken: "MTMwMDAwMDAwMDAwMDAwMDAwMQ.GkDemo.guildkit-dev-bot-token-not-a-secret",
  guildId: "1300000000000000100",
  memberRoleId: "1300000000000000101",
  botRoleId: "1300000000000000102",
  channelId: "1300000000000000200",
  webhookId: "1300000000000000300",
  webhookToken: "guildkit-dev-webhook-token",
  pluralkitWebhookId: "1300000000000000301",
  pluralkitApplicationId: "466378653216014359",
  users: {
    alice: "1300000000000001001",
    bob: "1300000000000001002",
    carol: "1300000000000001003",
  },
  linkedRolesUrl: "http://localhost:3000/discord/linked-roles",
  redirectUris: [
    "http://localhost:3000/discord/callback",
    "http://localhost:3000/login/discord/callback",
    "http://127.0.0.1:3000/discord/callback",
    "http://127.0.0.1:3000/login/discord/callback",
  ],
} as const;

/** What `seedDemo` created. */
export interface DemoSeed {
  application: SimApplication;
  guildId: string;
  memberRoleId: string;
  channelId: string;
  webhook: SimWebhook;
  pluralkitWebhook: SimWebhook;
  users: { alice: string; bob: string; carol: string };
}

/**
 * Seeds the demo world the CLI starts with: an application (fixed client id, secret and bot token,
 * redirect URIs for http://localhost:3000 and http://127.0.0.1:3000, link and login callbacks, the
 * Linked Roles verification URL http://localhost:3000/discord/linked-roles), a
 * guild with a "Member" role, three users (alice: verified email, member; bob: unverified email,
 * member; carol: no email, not a member), a channel with an app-owned webhook and a PluralKit one.
 */
export function seedDemo(sim: { seed: SimSeed }): DemoSeed {
  const { seed } = sim;
  const application = seed.application({
    clientId: DEMO.clientId,
    clientSecret: DEMO.clientSecret,
    botToken: DEMO.botToken,
    redirectUris: [...DEMO.redirectUris],
    name: "guildkit dev",
    roleConnectionsVerificationUrl: DEMO.linkedRolesUrl,
  });
  seed.guild({
    id: DEMO.guildId,
    name: "guildkit dev guild",
    botRolePosition: 10,
    botRoleId: DEMO.botRoleId,
  });
  seed.role({ id: DEMO.memberRoleId, guildId: DEMO.guildId, name: "Member", position: 1 });
  seed.user({
    id: DEMO.users.alice,
    username: "alice",
    global_name: "Alice",
    avatar: "a1b2c3d4e5f60718293a4b5c6d7e8f90",
    email: "alice@example.test",
    verified: true,
  });
  seed.user({
    id: DEMO.users.bob,
    username: "bob",
    global_name: null,
    email: "bob@example.test",
    verified: false,
  });
  seed.user({ id: DEMO.users.carol, username: "carol", global_name: "Carol", email: null, verified: false });
  seed.member({ guildId: DEMO.guildId, userId: DEMO.users.alice, nick: "alice in guild" });
  seed.member({ guildId: DEMO.guildId, userId: DEMO.users.bob });
  seed.channel({ id: DEMO.channelId, guildId: DEMO.guildId, name: "general" });
  const webhook = seed.webhook({
    id: DEMO.webhookId,
    token: DEMO.webhookToken,
    channelId: DEMO.channelId,
    name: "guildkit notifications",
    applicationId: DEMO.clientId,
  });
  const pluralkitWebhook = seed.webhook({
    id: DEMO.pluralkitWebhookId,
    channelId: DEMO.channelId,
    name: "PluralKit",
    applicationId: DEMO.pluralkitApplicationId,
  });
  seed.authorizingUser(DEMO.users.alice);
  return {
    application,
    guildId: DEMO.guildId,
    memberRoleId: DEMO.memberRoleId,
    channelId: DEMO.channelId,
    webhook,
    pluralkitWebhook,
    users: { ...DEMO.users },
  };
}
