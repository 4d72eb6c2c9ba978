import type { Hono } from "hono";
import { z } from "zod";
import type { SimApi } from "../api";
import { DiscordSimError } from "../errors";
import { routeKeySchema } from "../faults";
import type { SimEnv, SimHonoContext } from "../pipeline";
import {
  applicationSeedSchema,
  applySeedBatch,
  bulkMembersSeedSchema,
  channelSeedSchema,
  guildSeedSchema,
  memberSeedSchema,
  parseSeed,
  pkMessageSeedSchema,
  roleSeedSchema,
  seedBulkMembers,
  userSeedSchema,
  webhookSeedSchema,
} from "../seed-batch";

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
  const seeders: Record<string, (body: unknown) => unknown> = {
    application: (b) => api.seed.application(parseSeed(applicationSeedSchema, b)),
    user: (b) => api.seed.user(parseSeed(userSeedSchema, b)),
    guild: (b) => api.seed.guild(parseSeed(guildSeedSchema, b)),
    role: (b) => api.seed.role(parseSeed(roleSeedSchema, b)),
    member: (b) => api.seed.member(parseSeed(memberSeedSchema, b)),
    members: (b) => seedBulkMembers(api.seed, parseSeed(bulkMembersSeedSchema, b)),
    channel: (b) => api.seed.channel(parseSeed(channelSeedSchema, b)),
    webhook: (b) => api.seed.webhook(parseSeed(webhookSeedSchema, b)),
    "pk-message": (b) => {
      api.seed.pkMessage(parseSeed(pkMessageSeedSchema, b));
      return { ok: true };
    },
    "authorizing-user": (b) => {
      api.seed.authorizingUser(parseSeed(z.object({ userId: snowflake }), b).userId);
      return { ok: true };
    },
    "remove-member": (b) => {
      const { guildId, userId } = parseSeed(z.object({ guildId: snowflake, userId: snowflake }), b);
      api.seed.removeMember(guildId, userId);
      return { ok: true };
    },
    "delete-webhook": (b) => {
      api.seed.deleteWebhook(parseSeed(z.object({ webhookId: snowflake }), b).webhookId);
      return { ok: true };
    },
  };
  seeders.pkMessage = seeders["pk-message"] as (body: unknown) => unknown;
  seeders.authorizingUser = seeders["authorizing-user"] as (body: unknown) => unknown;

  app.get("/_sim", (c) => c.json({ ok: true, ...urls() }));

  app.post("/_sim/seed", async (c) => c.json(applySeedBatch(api.seed, await readJson(c))));

  app.post("/_sim/seed/:kind", async (c) => {
    const seeder = seeders[c.req.param("kind")];
    if (!seeder)
      return c.json({ error: "unknown_kind", message: `unknown seed kind "${c.req.param("kind")}"` }, 404);
    return c.json(seeder(await readJson(c)) as object);
  });

  app.get("/_sim/inspect/:what", (c) => {
    const q = (name: string) => c.req.query(name);
    switch (c.req.param("what")) {
      case "requests": {
        const route = q("route");
        const since = q("since");
        const limit = q("limit");
        let records = api.inspect.requests({
          ...(route ? { route: routeKeySchema.parse(route) } : {}),
          ...(since ? { since: Number(since) } : {}),
        });
        if (limit) records = records.slice(-Number(limit));
        return c.json(records);
      }
      case "rate-limited":
        return c.json(api.inspect.rateLimited());
      case "invalid-requests":
        return c.json({ count: api.inspect.invalidRequests() });
      case "messages":
        return c.json(api.inspect.messages(q("webhookId")));
      case "role-changes":
        return c.json(api.inspect.roleChanges());
      case "member":
        return c.json(api.inspect.member(q("guildId") ?? "", q("userId") ?? ""));
      case "user":
        return c.json(api.inspect.user(q("userId") ?? ""));
      case "counters":
        return c.json(api.inspect.counters());
      case "oauth-code":
        return c.json(api.inspect.oauthCode(q("code") ?? ""));
      default:
        return c.json(
          { error: "unknown_inspection", message: `unknown inspection "${c.req.param("what")}"` },
          404,
        );
    }
  });

  app.post("/_sim/faults", async (c) => {
    api.faults.set((await readJson(c)) as never);
    return c.json({ ok: true });
  });
  app.delete("/_sim/faults", (c) => {
    api.faults.clear();
    return c.json({ ok: true });
  });
  app.post("/_sim/faults/clear", (c) => {
    api.faults.clear();
    return c.json({ ok: true });
  });
  app.post("/_sim/reset", (c) => {
    api.reset();
    return c.json({ ok: true });
  });
}
