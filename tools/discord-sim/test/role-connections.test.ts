import { afterEach, describe, expect, it } from "vitest";
import type { DiscordSimOptions } from "../src/types";
import { ALICE, BOB, type Json, readJson, startWorld, UA, type World } from "./helpers";

let w: World;
afterEach(async () => {
  await w.sim.close();
});

const SCHEMA = [
  { type: 7, key: "paying", name: "Paying member", description: "Has an active membership" },
  { type: 2, key: "tier", name: "Tier", description: "Membership tier", name_localizations: { de: "Stufe" } },
  { type: 6, key: "member_since", name: "Member since", description: "Days a member" },
];

async function world(options: DiscordSimOptions = {}) {
  w = await startWorld(options);
  return w;
}

const metadataPath = () => `/applications/${w.app.clientId}/role-connections/metadata`;
const putMetadata = (body: unknown) =>
  w.bot(metadataPath(), {
    method: "PUT",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(body),
  });
const connection = (accessToken: string, init: RequestInit = {}, applicationId = w.app.clientId) =>
  fetch(`${w.sim.apiBaseUrl}/users/@me/applications/${applicationId}/role-connection`, {
    ...init,
    headers: {
      Authorization: `Bearer ${accessToken}`,
      "Content-Type": "application/json",
      "User-Agent": UA,
    },
  });
const putConnection = (accessToken: string, body: unknown) =>
  connection(accessToken, { method: "PUT", body: JSON.stringify(body) });
const userToken = (userId = ALICE, scopes = ["identify", "role_connections.write"]) =>
  w.sim.seed.oauthGrant({ userId, scopes }).access_token;

describe("PUT/GET /applications/{id}/role-connections/metadata", () => {
  it("replaces the records and answers them; GET returns them; an application starts with none", async () => {
    await world();
    expect(await readJson(w.bot(metadataPath()))).toEqual([]);
    const res = await putMetadata(SCHEMA);
    expect(res.status).toBe(200);
    expect(await readJson(res)).toEqual(SCHEMA);
    expect(await readJson(w.bot(metadataPath()))).toEqual(SCHEMA);
    expect(w.sim.inspect.roleConnectionMetadata(w.app.clientId)).toEqual(SCHEMA);
    await putMetadata([SCHEMA[0]]);
    expect(await readJson(w.bot(metadataPath()))).toEqual([SCHEMA[0]]);
  });

  const invalid: [string, unknown, Json][] = [
    [
      "more than 5 records",
      Array.from({ length: 6 }, (_, i) => ({ ...SCHEMA[0], key: `k${i}` })),
      { _errors: [{ code: "BASE_TYPE_MAX_LENGTH", message: "Must be 5 or fewer in length." }] },
    ],
    [
      "a key outside a-z0-9_",
      [{ ...SCHEMA[0], key: "Paying-Member" }],
      {
        0: {
          key: {
            _errors: [{ code: "STRING_TYPE_REGEX", message: "String value did not match validation regex." }],
          },
        },
      },
    ],
    [
      "a key over 50 characters",
      [{ ...SCHEMA[0], key: "k".repeat(51) }],
      {
        0: {
          key: {
            _errors: [{ code: "BASE_TYPE_BAD_LENGTH", message: "Must be between 1 and 50 in length." }],
          },
        },
      },
    ],
    [
      "an empty name and a description over 200",
      [{ ...SCHEMA[0], name: "", description: "d".repeat(201) }],
      {
        0: {
          name: {
            _errors: [{ code: "BASE_TYPE_BAD_LENGTH", message: "Must be between 1 and 100 in length." }],
          },
          description: {
            _errors: [{ code: "BASE_TYPE_BAD_LENGTH", message: "Must be between 1 and 200 in length." }],
          },
        },
      },
    ],
    [
      "a type outside 1-8 and a missing key",
      [{ type: 9, name: "x", description: "y" }],
      {
        0: {
          type: {
            _errors: [
              { code: "BASE_TYPE_CHOICES", message: "Value must be one of {1, 2, 3, 4, 5, 6, 7, 8}." },
            ],
          },
          key: { _errors: [{ code: "BASE_TYPE_REQUIRED", message: "This field is required" }] },
        },
      },
    ],
    [
      "a localization for an unknown locale",
      [{ ...SCHEMA[0], name_localizations: { klingon: "x" } }],
      {
        0: {
          name_localizations: {
            klingon: { _errors: [expect.objectContaining({ code: "BASE_TYPE_CHOICES" })] },
          },
        },
      },
    ],
    [
      "a repeated key",
      [SCHEMA[0], { ...SCHEMA[1], key: "paying" }],
      { 1: { key: { _errors: [expect.objectContaining({ code: "BASE_TYPE_INVALID" })] } } },
    ],
    [
      "a body that is not a list",
      { records: SCHEMA },
      { _errors: [{ code: "LIST_TYPE_CONVERT", message: "Only iterables may be used in a ListType" }] },
    ],
  ];
  for (const [name, body, errors] of invalid) {
    it(`answers 400 50035 for ${name} and keeps the records`, async () => {
      await world();
      await putMetadata(SCHEMA);
      const res = await putMetadata(body);
      expect(res.status).toBe(400);
      expect(await readJson(res)).toEqual({ message: "Invalid Form Body", code: 50035, errors });
      expect(w.sim.inspect.roleConnectionMetadata(w.app.clientId)).toEqual(SCHEMA);
    });
  }

  it("refuses another application's records (403 50001), an unknown application (404 10002) and a bearer token (401)", async () => {
    await world();
    const other = w.sim.seed.application({ name: "Other" });
    const theirs = await w.bot(`/applications/${other.clientId}/role-connections/metadata`);
    expect(theirs.status).toBe(403);
    expect(await readJson(theirs)).toEqual({ message: "Missing Access", code: 50001 });
    const unknown = await w.bot("/applications/123/role-connections/metadata");
    expect(await readJson(unknown)).toEqual({ message: "Unknown Application", code: 10002 });
    const bearer = await fetch(`${w.sim.apiBaseUrl}${metadataPath()}`, {
      headers: { Authorization: `Bearer ${userToken()}` },
    });
    expect(bearer.status).toBe(401);
  });
});

describe("GET/PUT/DELETE /users/@me/applications/{id}/role-connection", () => {
  it("starts empty, stores values as strings, and answers the connection", async () => {
    await world();
    w.sim.seed.roleConnectionMetadata(w.app.clientId, SCHEMA as never);
    const token = userToken();
    expect(await readJson(connection(token))).toEqual({
      platform_name: null,
      platform_username: null,
      metadata: {},
    });
    const res = await putConnection(token, {
      platform_name: "guildkit",
      platform_username: "alice@example.test",
      metadata: { paying: 1, tier: "3", member_since: "2026-01-05T00:00:00Z" },
    });
    expect(res.status).toBe(200);
    const expected = {
      platform_name: "guildkit",
      platform_username: "alice@example.test",
      metadata: { paying: "1", tier: "3", member_since: "2026-01-05T00:00:00Z" },
    };
    expect(await readJson(res)).toEqual(expected);
    expect(await readJson(connection(token))).toEqual(expected);
    expect(w.sim.inspect.roleConnection(w.app.clientId, ALICE)).toMatchObject({
      platformName: "guildkit",
      metadata: expected.metadata,
      updatedAt: w.clock.now(),
    });
    expect(w.sim.inspect.roleConnection(w.app.clientId, BOB)).toBeNull();
  });

  it("replaces the whole connection on PUT; {} clears it, and so does DELETE (204)", async () => {
    await world({ routeLimits: { role_connection: { limit: 50, windowMs: 5_000 } } });
    w.sim.seed.roleConnectionMetadata(w.app.clientId, SCHEMA as never);
    const token = userToken();
    await putConnection(token, { platform_name: "guildkit", metadata: { paying: 1, tier: 2 } });
    await putConnection(token, { metadata: { paying: 0 } });
    expect(await readJson(connection(token))).toEqual({
      platform_name: null,
      platform_username: null,
      metadata: { paying: "0" },
    });
    const cleared = await putConnection(token, {});
    expect(await readJson(cleared)).toEqual({ platform_name: null, platform_username: null, metadata: {} });
    expect(w.sim.inspect.roleConnection(w.app.clientId, ALICE)).toBeNull();
    await putConnection(token, { metadata: { tier: 1 } });
    const del = await connection(token, { method: "DELETE" });
    expect(del.status).toBe(204);
    expect(w.sim.inspect.roleConnections(w.app.clientId)).toEqual([]);
  });

  it("validates values against the registered records with 50035 and changes nothing", async () => {
    await world();
    w.sim.seed.roleConnectionMetadata(w.app.clientId, SCHEMA as never);
    const token = userToken();
    await putConnection(token, { metadata: { tier: 1 } });
    const res = await putConnection(token, {
      platform_name: "p".repeat(51),
      metadata: { tier: "gold", member_since: "yesterday", paying: 2, unknown_key: "1" },
    });
    expect(res.status).toBe(400);
    const body = await readJson(res);
    expect(body).toMatchObject({ code: 50035, message: "Invalid Form Body" });
    expect(body.errors.platform_name._errors[0]).toEqual({
      code: "BASE_TYPE_MAX_LENGTH",
      message: "Must be 50 or fewer in length.",
    });
    expect(body.errors.metadata.tier._errors[0]).toEqual({
      code: "NUMBER_TYPE_COERCE",
      message: 'Value "gold" is not int.',
    });
    expect(body.errors.metadata.member_since._errors[0].code).toBe("DATE_TYPE_PARSE");
    expect(body.errors.metadata.paying._errors[0].code).toBe("BASE_TYPE_CHOICES");
    expect(body.errors.metadata.unknown_key._errors[0].code).toBe("BASE_TYPE_INVALID");
    expect(w.sim.inspect.roleConnection(w.app.clientId, ALICE)?.metadata).toEqual({ tier: "1" });
  });

  it("takes JSON true for a boolean record without an error, as Discord does, and stores it as sent", async () => {
    await world();
    w.sim.seed.roleConnectionMetadata(w.app.clientId, SCHEMA as never);
    const res = await putConnection(userToken(), { metadata: { paying: true } });
    expect(res.status).toBe(200);
    expect(w.sim.inspect.roleConnection(w.app.clientId, ALICE)?.metadata).toEqual({ paying: "true" });
  });

  it("answers 401 code 0 without role_connections.write, for another application, after expiry and to a bot token", async () => {
    await world();
    const noScope = userToken(ALICE, ["identify"]);
    const res = await putConnection(noScope, { platform_name: "x" });
    expect(res.status).toBe(401);
    expect(await readJson(res)).toEqual({ message: "401: Unauthorized", code: 0 });
    const other = w.sim.seed.application({ name: "Other" });
    const token = userToken();
    expect((await connection(token, {}, other.clientId)).status).toBe(401);
    expect((await connection(token)).status).toBe(200);
    w.clock.advance(604_800_000);
    expect((await connection(token)).status).toBe(401);
    const bot = await w.bot(`/users/@me/applications/${w.app.clientId}/role-connection`);
    expect(bot.status).toBe(401);
  });

  it("limits each user separately: a user's spent bucket answers 429, another user's token still works", async () => {
    await world({ routeLimits: { role_connection: { limit: 2, windowMs: 1_000 } } });
    const alice = userToken(ALICE);
    const bob = userToken(BOB);
    expect((await putConnection(alice, {})).status).toBe(200);
    expect((await putConnection(alice, {})).status).toBe(200);
    const limited = await putConnection(alice, {});
    expect(limited.status).toBe(429);
    expect(limited.headers.get("x-ratelimit-scope")).toBe("user");
    expect(limited.headers.get("x-ratelimit-remaining")).toBe("0");
    expect(await readJson(limited)).toEqual({
      message: "You are being rate limited.",
      retry_after: 1,
      global: false,
    });
    expect((await putConnection(bob, {})).status).toBe(200);
    w.clock.advance(1_000);
    expect((await putConnection(alice, {})).status).toBe(200);
  });

  it("seeds and inspects role connections through /_sim", async () => {
    await world();
    const post = (kind: string, body: unknown) =>
      fetch(`${w.sim.url}/_sim/seed/${kind}`, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify(body),
      });
    expect(
      (await post("role-connection-metadata", { applicationId: w.app.clientId, records: SCHEMA })).status,
    ).toBe(200);
    const bad = await post("role-connection-metadata", {
      applicationId: w.app.clientId,
      records: [{ type: 1 }],
    });
    expect(bad.status).toBe(400);
    expect((await readJson(bad)).error).toBe("invalid_seed");
    await post("role-connection", { applicationId: w.app.clientId, userId: BOB, metadata: { tier: "2" } });
    const inspect = (what: string) => readJson(fetch(`${w.sim.url}/_sim/inspect/${what}`));
    expect(await inspect(`role-connection-metadata?applicationId=${w.app.clientId}`)).toEqual(SCHEMA);
    expect(await inspect(`role-connection?applicationId=${w.app.clientId}&userId=${BOB}`)).toMatchObject({
      metadata: { tier: "2" },
    });
    expect(await inspect(`role-connections?applicationId=${w.app.clientId}`)).toHaveLength(1);
    expect(await readJson(connection(userToken(BOB)))).toMatchObject({ metadata: { tier: "2" } });
  });
});
