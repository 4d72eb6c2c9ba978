import { afterEach, describe, expect, it } from "vitest";
import { createRoleConnectionClient, DiscordApiError, type RoleConnectionMetadataRecord } from "../src";
import { startWorld } from "./helpers";

let world: Awaited<ReturnType<typeof startWorld>>;
afterEach(async () => {
  await world.close();
});

const RECORDS: RoleConnectionMetadataRecord[] = [
  { type: 7, key: "paying", name: "Paying member", description: "Has an active membership" },
  { type: 2, key: "tier", name: "Tier", description: "Membership tier" },
];

describe("Linked Roles endpoints against discord-sim", () => {
  it("registers the metadata records with the bot token and reads them back", async () => {
    world = await startWorld();
    const rest = world.client();
    const applicationId = world.demo.application.clientId;
    expect(await rest.getRoleConnectionMetadata({ applicationId })).toEqual([]);
    expect(await rest.updateRoleConnectionMetadata({ applicationId, records: RECORDS })).toEqual(RECORDS);
    expect(world.sim.inspect.roleConnectionMetadata(applicationId)).toEqual(RECORDS);
  });

  it("refuses a record Discord refuses with DiscordApiError 400 50035 and its form errors", async () => {
    world = await startWorld();
    const rest = world.client();
    const error = await rest
      .updateRoleConnectionMetadata({
        applicationId: world.demo.application.clientId,
        records: [{ ...RECORDS[0]!, key: "Not-A-Key" }],
      })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DiscordApiError);
    expect(error).toMatchObject({ status: 400, code: 50035, retryable: false });
    expect((error as DiscordApiError).errors).toMatchObject({
      0: { key: { _errors: [{ code: "STRING_TYPE_REGEX" }] } },
    });
  });

  it("pushes a user's connection with their Bearer token, and clears it with empty metadata", async () => {
    world = await startWorld();
    const rest = world.client();
    const applicationId = world.demo.application.clientId;
    world.sim.seed.roleConnectionMetadata(applicationId, RECORDS as never);
    const { access_token } = world.sim.seed.oauthGrant({
      userId: world.demo.users.alice,
      scopes: ["identify", "role_connections.write"],
    });
    const client = createRoleConnectionClient(rest, { applicationId });
    await client.putRoleConnection({
      accessToken: access_token,
      body: { platform_name: "guildkit", metadata: { paying: "1", tier: "3" } },
    });
    expect(world.sim.inspect.roleConnection(applicationId, world.demo.users.alice)).toMatchObject({
      platformName: "guildkit",
      metadata: { paying: "1", tier: "3" },
    });
    expect(await rest.getUserRoleConnection({ applicationId, accessToken: access_token })).toEqual({
      platform_name: "guildkit",
      platform_username: null,
      metadata: { paying: "1", tier: "3" },
    });
    await client.putRoleConnection({ accessToken: access_token, body: { metadata: {} } });
    expect(world.sim.inspect.roleConnection(applicationId, world.demo.users.alice)).toBeNull();
    // the request went out as the user, not the bot
    const pushes = world.sim.inspect.requests({}).filter((r) => r.route === "role_connection");
    expect(pushes.length).toBe(3);
  });

  it("a token without role_connections.write is a 401 DiscordApiError that never shows the token", async () => {
    world = await startWorld();
    const rest = world.client();
    const applicationId = world.demo.application.clientId;
    const { access_token } = world.sim.seed.oauthGrant({
      userId: world.demo.users.alice,
      scopes: ["identify"],
    });
    const error = await rest
      .updateUserRoleConnection({ applicationId, accessToken: access_token, body: { metadata: {} } })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DiscordApiError);
    expect(error).toMatchObject({
      status: 401,
      retryable: false,
      route: "PUT /users/@me/applications/:application/role-connection",
    });
    expect(JSON.stringify({ ...(error as object), message: (error as Error).message })).not.toContain(
      access_token,
    );
    expect(JSON.stringify(rest.buckets())).not.toContain(access_token);
  });

  it("keeps each user's bucket apart: one user's spent bucket does not hold back another's pushes", async () => {
    world = await startWorld({ routeLimits: { role_connection: { limit: 1, windowMs: 60_000 } } });
    const rest = world.client({ maxRateLimitWaitMs: 0, rateLimitRetries: 0 });
    const applicationId = world.demo.application.clientId;
    const token = (userId: string) =>
      world.sim.seed.oauthGrant({ userId, scopes: ["role_connections.write"] }).access_token;
    const alice = token(world.demo.users.alice);
    const bob = token(world.demo.users.bob);
    await rest.updateUserRoleConnection({ applicationId, accessToken: alice, body: {} });
    // one shared bucket would hold bob's push for alice's 60 s window (past the test's timeout)
    await rest.updateUserRoleConnection({ applicationId, accessToken: bob, body: {} });
    expect(world.sim.inspect.rateLimited().total).toBe(0);
  });
});
