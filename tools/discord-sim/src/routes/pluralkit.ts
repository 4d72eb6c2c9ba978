import type { Hono } from "hono";
import type { SimContext } from "../context";
import { pluralkitTimestamp } from "../format";
import { applyFaults, clientAddress, type SimEnv, type SimHonoContext } from "../pipeline";
import { snowflakeTime } from "../snowflake";
import type { PkEntry } from "../state";
import type { SimPkMember, SimPkSystem } from "../types";

/** A trigger message's id resolves for 30 minutes after the proxy (PluralKit keeps the mapping in Redis that long). */
export const ORIGINAL_ID_WINDOW_MS = 30 * 60 * 1000;

const UNSUPPORTED_VERSION = { message: "Unsupported API version", code: 0 };

function systemModel(system: SimPkSystem) {
  return {
    id: system.id,
    uuid: system.uuid,
    name: system.name,
    description: system.description ?? null,
    tag: system.tag,
    pronouns: system.pronouns ?? null,
    avatar_url: system.avatar_url,
    banner: system.banner ?? null,
    color: system.color ?? null,
    created: system.created ?? "2020-01-01T00:00:00Z",
    privacy: null,
  };
}

function memberModel(member: SimPkMember) {
  return {
    id: member.id,
    uuid: member.uuid,
    name: member.name,
    display_name: member.display_name,
    color: member.color,
    birthday: member.birthday ?? null,
    pronouns: member.pronouns,
    avatar_url: member.avatar_url,
    webhook_avatar_url: member.webhook_avatar_url,
    banner: member.banner ?? null,
    description: member.description ?? null,
    created: member.created ?? null,
    keep_proxy: false,
    tts: false,
    autoproxy_enabled: null,
    message_count: null,
    last_message_timestamp: null,
    proxy_tags: member.proxy_tags ?? [],
    privacy: null,
  };
}

function messageModel(entry: PkEntry) {
  const m = entry.message;
  return {
    timestamp: pluralkitTimestamp(snowflakeTime(m.id)),
    id: m.id,
    original: m.original,
    sender: m.sender,
    channel: m.channel,
    guild: m.guild,
    system: m.system ? systemModel(m.system) : null,
    member: m.member ? memberModel(m.member) : null,
  };
}

/** PluralKit API v2: `GET /messages/{id}`, the User-Agent rule, version errors and the GCRA limit. */
export function registerPluralKitRoutes(app: Hono<SimEnv>, ctx: SimContext): void {
  const { state } = ctx;

  const lookup = async (c: SimHonoContext, id: string): Promise<Response> => {
    c.set("route", "pk_message");
    const faulted = await applyFaults(ctx, c, "pk_message", "pluralkit");
    if (faulted) return faulted;
    const { limit, windowMs } = ctx.options.routeLimits.pk_message;
    const gcra = ctx.pluralkitLimiter.take(`pk:${clientAddress(c)}`, limit, windowMs);
    c.header("X-RateLimit-Limit", String(limit));
    c.header("X-RateLimit-Remaining", String(gcra.remaining));
    c.header("X-RateLimit-Reset", String(Math.floor(gcra.resetAt / 1000)));
    c.header("X-RateLimit-Scope", "message");
    if (!gcra.ok) {
      c.set("scope", "user");
      return c.json(
        { message: "429: too many requests", retry_after: gcra.retryAfterMs, scope: "message", code: 0 },
        429,
      );
    }
    const notFound = () => c.json({ message: "Message not found.", code: 20006 }, 404);
    if (!/^\d{1,20}$/.test(id)) return notFound();
    const byId = state.pkById.get(id);
    if (byId) return c.json(messageModel(byId));
    const byOriginal = state.pkByOriginal.get(id);
    if (byOriginal && ctx.now() - byOriginal.at <= ORIGINAL_ID_WINDOW_MS)
      return c.json(messageModel(byOriginal));
    return notFound();
  };

  app.all("/pk/*", (c) => {
    if ((c.req.header("user-agent") ?? "").trim() === "") return c.body(null, 400);
    const path = c.req.path.slice("/pk".length);
    if (path.startsWith("/v1/") || path === "/v1") return c.json(UNSUPPORTED_VERSION, 410);
    if (!path.startsWith("/v2/")) return c.json(UNSUPPORTED_VERSION, 400);
    const match = /^\/v2\/messages\/([^/]+)\/?$/.exec(path);
    if (match && c.req.method === "GET") return lookup(c, decodeURIComponent(match[1] ?? ""));
    return c.body(null, 404);
  });
}
