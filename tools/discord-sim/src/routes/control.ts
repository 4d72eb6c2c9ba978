import type { Hono } from "hono";
import { z } from "zod";
import type { SimApi } from "../api";
import { DiscordSimError } from "../errors";
import { routeKeySchema } from "../faults";
import type { SimEnv, SimHonoContext } from "../pipeline";
import {
  applicationSeedSchema,
  applySeedBatch,
  banSeedSchema,
  bulkMembersSeedSchema,
  channelSeedSchema,
  guildSeedSchema,
  memberSeedSchema,
  oauthGrantSeedSchema,
  parseSeed,
  pkMessageSeedSchema,
  roleConnectionMetadataSeedSchema,
  roleConnectionSeedSchema,
  roleSeedSchema,
  seedBulkMembers,
  userSeedSchema,
  webhookSeedSchema,
} from "../seed-batch";
import type { SimRoleConnectionMetadata } from "../types";

const snowflake = z.string().regex(/^\d{1,20}$/);

async function readJson(c: SimHonoContext): Promise<unknown> {
  const text = await c.req.text();
  if (text.trim() === "") return {};
  try {
    return JSON.parse(text);
  } catch {
    throw new DiscordSimError("invalid_seed", "the body is not valid JSON");
  }
}

type Seeders = Record<string, (body: unknown) => unknown>;

/** `POST /_sim/seed/<kind>`: each kind parses its body and seeds. */
function createSeeders(api: SimApi): Seeders {
  const ok = (run: () => void) => {
    run();
    return { ok: true };
  };
  const guildUser = z.object({ guildId: snowflake, userId: snowflake });
  const seeders: Seeders = {
    application: (b) => api.seed.application(parseSeed(applicationSeedSchema, b)),
    user: (b) => api.seed.user(parseSeed(userSeedSchema, b)),
    guild: (b) => api.seed.guild(parseSeed(guildSeedSchema, b)),
    role: (b) => api.seed.role(parseSeed(roleSeedSchema, b)),
    member: (b) => api.seed.member(parseSeed(memberSeedSchema, b)),
    members: (b) => seedBulkMembers(api.seed, parseSeed(bulkMembersSeedSchema, b)),
    channel: (b) => api.seed.channel(parseSeed(channelSeedSchema, b)),
    webhook: (b) => api.seed.webhook(parseSeed(webhookSeedSchema, b)),
    "pk-message": (b) => ok(() => api.seed.pkMessage(parseSeed(pkMessageSeedSchema, b))),
    "authorizing-user": (b) =>
      ok(() => api.seed.authorizingUser(parseSeed(z.object({ userId: snowflake }), b).userId)),
    "remove-member": (b) => {
      const { guildId, userId } = parseSeed(guildUser, b);
      return ok(() => api.seed.removeMember(guildId, userId));
    },
    "delete-webhook": (b) =>
      ok(() => api.seed.deleteWebhook(parseSeed(z.object({ webhookId: snowflake }), b).webhookId)),
    ban: (b) => api.seed.ban(parseSeed(banSeedSchema, b)),
    unban: (b) => {
      const { guildId, userId } = parseSeed(guildUser, b);
      return ok(() => api.seed.unban(guildId, userId));
    },
    "oauth-grant": (b) => api.seed.oauthGrant(parseSeed(oauthGrantSeedSchema, b)),
    "revoke-authorization": (b) => ({
      revoked: api.seed.revokeAuthorization(
        parseSeed(z.object({ userId: snowflake, clientId: snowflake.optional() }), b),
      ),
    }),
    "role-connection-metadata": (b) => {
      const { applicationId, records } = parseSeed(roleConnectionMetadataSeedSchema, b);
      return api.seed.roleConnectionMetadata(applicationId, records as SimRoleConnectionMetadata[]);
    },
    "role-connection": (b) => api.seed.roleConnection(parseSeed(roleConnectionSeedSchema, b)),
  };
  seeders.pkMessage = seeders["pk-message"] as Seeders[string];
  seeders.authorizingUser = seeders["authorizing-user"] as Seeders[string];
  return seeders;
}

type Inspections = Record<string, (q: (name: string) => string | undefined) => unknown>;

/** `GET /_sim/inspect/<what>`: each inspection reads its query parameters. */
function createInspections(api: SimApi): Inspections {
  const { inspect } = api;
  const optional = <K extends string>(key: K, value: string | undefined) =>
    (value ? { [key]: value } : {}) as Partial<Record<K, string>>;
  return {
    requests: (q) => {
      const route = q("route");
      const since = q("since");
      const limit = q("limit");
      const records = inspect.requests({
        ...(route ? { route: routeKeySchema.parse(route) } : {}),
        ...(since ? { since: Number(since) } : {}),
      });
      return limit ? records.slice(-Number(limit)) : records;
    },
    "rate-limited": () => inspect.rateLimited(),
    "invalid-requests": () => ({ count: inspect.invalidRequests() }),
    messages: (q) => inspect.messages(q("webhookId")),
    "role-changes": () => inspect.roleChanges(),
    member: (q) => inspect.member(q("guildId") ?? "", q("userId") ?? ""),
    user: (q) => inspect.user(q("userId") ?? ""),
    counters: () => inspect.counters(),
    "oauth-code": (q) => inspect.oauthCode(q("code") ?? ""),
    "oauth-grants": (q) =>
      inspect.oauthGrants({ ...optional("userId", q("userId")), ...optional("clientId", q("clientId")) }),
    "role-connection-metadata": (q) => inspect.roleConnectionMetadata(q("applicationId") ?? ""),
    "role-connection": (q) => inspect.roleConnection(q("applicationId") ?? "", q("userId") ?? ""),
    "role-connections": (q) => inspect.roleConnections(q("applicationId")),
    joins: (q) => inspect.joins(q("guildId")),
    kicks: (q) => inspect.kicks(q("guildId")),
    bans: (q) => inspect.bans(q("guildId") ?? ""),
  };
}

/**
 * The `/_sim` API: drive a standalone simulator from another process. POST JSON to
 * `/_sim/seed/<kind>` (or a whole document to `/_sim/seed`), GET `/_sim/inspect/<what>`,
 * POST `/_sim/faults`, DELETE `/_sim/faults`, POST `/_sim/reset`.
 */
export function registerControlRoutes(
  app: Hono<SimEnv>,
  api: SimApi,
  urls: () => Record<string, string>,
): void {
  const seeders = createSeeders(api);
  const inspections = createInspections(api);

  app.get("/_sim", (c) => c.json({ ok: true, ...urls() }));

  app.post("/_sim/seed", async (c) => c.json(applySeedBatch(api.seed, await readJson(c))));

  app.post("/_sim/seed/:kind", async (c) => {
    const seeder = seeders[c.req.param("kind")];
    if (!seeder)
      return c.json({ error: "unknown_kind", message: `unknown seed kind "${c.req.param("kind")}"` }, 404);
    return c.json(seeder(await readJson(c)) as object);
  });

  app.get("/_sim/inspect/:what", (c) => {
    const inspection = inspections[c.req.param("what")];
    if (!inspection) {
      return c.json(
        { error: "unknown_inspection", message: `unknown inspection "${c.req.param("what")}"` },
        404,
      );
    }
    return c.json(inspection((name) => c.req.query(name)) as object);
  });

  app.post("/_sim/faults", async (c) => {
    api.faults.set((await readJson(c)) as never);
    return c.json({ ok: true });
  });
  const clearFaults = (c: SimHonoContext) => {
    api.faults.clear();
    return c.json({ ok: true });
  };
  app.delete("/_sim/faults", clearFaults);
  app.post("/_sim/faults/clear", clearFaults);
  app.post("/_sim/reset", (c) => {
    api.reset();
    return c.json({ ok: true });
  });
}
