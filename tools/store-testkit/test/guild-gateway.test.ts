/**
 * Role-reconciler's `GuildGateway` port: the Discord adapter (`createRoleGateway` of
 * `@guildkit/discord-rest`, over HTTP against discord-sim) and the reconciler's test fake pass the
 * same cases.
 */
import { createDiscordRest, createRoleGateway, type DiscordRest } from "@guildkit/discord-rest";
import {
  DEFAULT_BOT_PERMISSIONS,
  type DiscordSim,
  PERMISSIONS,
  startDiscordSim,
} from "@guildkit/discord-sim";
import { afterAll, beforeAll, describe } from "vitest";
import { discordError, FakeGuild, GUILD, uid } from "../../../packages/role-reconciler/test/fakes";
import { defineGuildGatewayCases } from "../src";

describe("GuildGateway: createRoleGateway against discord-sim", () => {
  let sim: DiscordSim;
  let app: ReturnType<DiscordSim["seed"]["application"]>;
  const clients: DiscordRest[] = [];
  beforeAll(async () => {
    sim = await startDiscordSim({
      globalPerSecond: 100_000,
      routeLimits: {
        get_member: { limit: 1000, windowMs: 50 },
        list_members: { limit: 1000, windowMs: 50 },
        member_role: { limit: 1000, windowMs: 50 },
      },
    });
    app = sim.seed.application({});
  });
  afterAll(async () => {
    await Promise.all(clients.map((c) => c.close()));
    await sim?.close();
  });
  let next = 0;
  defineGuildGatewayCases(async () => {
    const guild = sim.seed.guild({
      botUserId: app.botUserId,
      botRolePosition: 10,
      botPermissions: String(BigInt(DEFAULT_BOT_PERMISSIONS) | PERMISSIONS.KICK_MEMBERS),
    });
    const role = sim.seed.role({ guildId: guild.id, name: "Paid", position: 1 });
    const above = sim.seed.role({ guildId: guild.id, name: "Admins", position: 50 });
    const outsider = sim.seed.user({ username: `outsider${next}` });
    const rest = createDiscordRest({
      token: app.botToken,
      apiBaseUrl: sim.apiBaseUrl,
      cdnBaseUrl: sim.cdnBaseUrl,
      rps: 1000,
    });
    clients.push(rest);
    return {
      gateway: createRoleGateway(rest),
      guildId: guild.id,
      roleId: role.id,
      roleAboveBot: above.id,
      absentUserId: outsider.id,
      async addMember(roles = []) {
        next += 1;
        const [m] = sim.seed.members({
          guildId: guild.id,
          count: 1,
          roles: () => roles,
          idStart: 300000000000000000n + BigInt(next * 10),
          avatars: false,
        });
        return m!.userId;
      },
      async rolesOf(userId) {
        const member = sim.inspect.member(guild.id, userId);
        return member ? [...member.roles].sort() : null;
      },
    };
  });
});

describe("GuildGateway: the role reconciler's test fake (FakeGuild)", () => {
  defineGuildGatewayCases(async () => {
    const guild = new FakeGuild();
    const roleAboveBot = "900000000000000099";
    guild.roleErrors.set(roleAboveBot, discordError(403, 50013, { message: "Missing Permissions" }));
    let n = 0;
    return {
      gateway: guild.gateway,
      guildId: GUILD,
      roleId: "900000000000000001",
      roleAboveBot,
      absentUserId: uid(99_999),
      async addMember(roles = []) {
        n += 1;
        guild.add(uid(n), { roles });
        return uid(n);
      },
      rolesOf: async (userId) => guild.roles(userId),
    };
  });
});
