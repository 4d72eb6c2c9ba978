import type { AddressInfo } from "node:net";
import { createConfigLoader, discordConfigSpec } from "@guildkit/config";
import { type DiscordSim, type SimApplication, startDiscordSim } from "@guildkit/discord-sim";
import type { AppStore } from "@guildkit/runtime";
import { serve } from "@hono/node-server";
import type { Hono } from "hono";
import { createServerApp } from "../src/app";
import type { ServerContext } from "../src/context";
import { createTestContext } from "./helpers";

/** The public URL the OAuth tests pretend to be served at (requests go to `app.fetch` in-process). */
export const BASE = "http://127.0.0.1:3000";

/** Keeps a response's cookies in `jar` (name → value); an empty value or `Max-Age=0` deletes. */
function keepCookies(jar: Map<string, string>, response: Response): void {
  for (const line of response.headers.getSetCookie()) {
    const [pair = "", ...attributes] = line.split(";");
    const index = pair.indexOf("=");
    const name = pair.slice(0, index).trim();
    const value = pair.slice(index + 1).trim();
    const expired = attributes.some((a) => a.trim().toLowerCase() === "max-age=0");
    if (expired || value === "") jar.delete(name);
    else jar.set(name, value);
  }
}

/** The `Cookie` header of a jar, or `null` when it is empty. */
function cookieHeader(jar: Map<string, string>): string | null {
  return jar.size === 0 ? null : [...jar].map(([name, value]) => `${name}=${value}`).join("; ");
}

/**
 * A browser stand-in over `app.fetch`: keeps cookies (name → value), does not follow redirects.
 */
export class TestBrowser {
  readonly cookies = new Map<string, string>();

  constructor(
    private readonly app: Hono,
    private readonly base = BASE,
  ) {}

  async request(pathOrUrl: string, init: RequestInit = {}): Promise<Response> {
    const url = new URL(pathOrUrl, this.base);
    const headers = new Headers(init.headers);
    const cookie = cookieHeader(this.cookies);
    if (cookie !== null) headers.set("cookie", cookie);
    const response = await this.app.fetch(new Request(url, { ...init, headers }));
    keepCookies(this.cookies, response);
    return response;
  }

  get(path: string): Promise<Response> {
    return this.request(path);
  }
}

/** A browser over real HTTP (`fetch` to a listening server): a cookie jar, redirects not followed. */
export class HttpBrowser {
  readonly cookies = new Map<string, string>();

  constructor(private readonly base: string) {}

  async request(pathOrUrl: string, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    const cookie = cookieHeader(this.cookies);
    if (cookie !== null) headers.set("cookie", cookie);
    const response = await fetch(new URL(pathOrUrl, this.base), { ...init, headers, redirect: "manual" });
    keepCookies(this.cookies, response);
    return response;
  }

  get(pathOrUrl: string): Promise<Response> {
    return this.request(pathOrUrl);
  }

  /** A same-origin form POST (as the site's own pages send it). */
  post(path: string, form: Record<string, string> = {}): Promise<Response> {
    return this.request(path, {
      method: "POST",
      headers: { origin: this.base },
      body: new URLSearchParams(form),
    });
  }
}

/**
 * A started simulator with an application whose redirect URIs are under `base`, and a test context
 * (public URL `base`) on a fresh SQLite store or on `store` (closed by the caller), OAuth configured
 * unless `configure: false`.
 */
async function simWorld(options: {
  base: string;
  store?: AppStore;
  configure?: boolean;
  settings?: Partial<ServerContext["settings"]>;
}) {
  const sim: DiscordSim = await startDiscordSim();
  const { base } = options;
  const application: SimApplication = sim.seed.application({
    redirectUris: [`${base}/discord/callback`, `${base}/login/discord/callback`],
  });
  const { ctx, teardown } = await createTestContext({
    store: options.store,
    settings: {
      publicBaseUrl: base,
      discordApiBaseUrl: sim.apiBaseUrl,
      discordAuthorizeUrl: sim.authorizeUrl,
      ...options.settings,
    },
  });
  if (options.configure !== false) await configureOAuth(ctx, application);
  return {
    sim,
    application,
    ctx,
    db: ctx.store.kysely,
    async close() {
      await teardown();
      await sim.close();
    },
  };
}

/** {@link simWorld} at `base` (default {@link BASE}), for requests to `app.fetch` in process. */
export function oauthWorld(options: { configure?: boolean; base?: string } = {}) {
  return simWorld({ base: options.base ?? BASE, configure: options.configure });
}

/**
 * The reference server listening on an ephemeral port (public URL = that address), OAuth configured
 * against discord-sim, on a fresh SQLite store or on `store` (closed by the caller).
 */
export async function servedWorld(
  options: { store?: AppStore; settings?: Partial<ServerContext["settings"]> } = {},
) {
  let app: Hono | null = null;
  const server = serve({
    fetch: (request) => app?.fetch(request) ?? new Response(null, { status: 503 }),
    port: 0,
    hostname: "127.0.0.1",
  });
  await new Promise<void>((resolve) => server.once("listening", () => resolve()));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const world = await simWorld({ base, store: options.store, settings: options.settings });
  app = createServerApp(world.ctx);
  return {
    ...world,
    base,
    browser: () => new HttpBrowser(base),
    async close() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        if ("closeAllConnections" in server) server.closeAllConnections();
      });
      await world.close();
    },
  };
}

/** Saves the simulator application's client id and secret as the runtime Discord config. */
export async function configureOAuth(ctx: ServerContext, application: SimApplication): Promise<void> {
  const config = createConfigLoader({ store: ctx.store.configStore, spec: discordConfigSpec });
  await config.save({ client_id: application.clientId, client_secret: application.clientSecret });
}

/** Rows the OAuth flows may write: members, spent nonces. */
export async function snapshot(db: ServerContext["store"]["kysely"]) {
  const members = await db
    .selectFrom("members")
    .select(["id", "email", "discord_user_id", "discord_email", "discord_username", "discord_last_synced"])
    .orderBy("id")
    .execute();
  const states = await db.selectFrom("oauth_states").select("nonce").execute();
  return { members, states: states.length };
}
