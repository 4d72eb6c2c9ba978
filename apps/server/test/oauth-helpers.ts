import { createConfigLoader, discordConfigSpec } from "@guildkit/config";
import { type DiscordSim, type SimApplication, startDiscordSim } from "@guildkit/discord-sim";
import type { Hono } from "hono";
import type { ServerContext } from "../src/context";
import { createTestContext } from "./helpers";

/** The public URL the OAuth tests pretend to be served at (requests go to `app.fetch` in-process). */
export const BASE = "http://127.0.0.1:3000";

/**
 * A browser stand-in over `app.fetch`: keeps cookies (name → value), does not follow redirects.
 */
export class TestBrowser {
  readonly cookies = new Map<string, string>();

  constructor(private readonly app: Hono) {}

  async request(pathOrUrl: string, init: RequestInit = {}): Promise<Response> {
    const url = new URL(pathOrUrl, BASE);
    const headers = new Headers(init.headers);
    if (this.cookies.size > 0) {
      headers.set("cookie", [...this.cookies].map(([name, value]) => `${name}=${value}`).join("; "));
    }
    const response = await this.app.fetch(new Request(url, { ...init, headers }));
    for (const line of response.headers.getSetCookie()) {
      const [pair = "", ...attributes] = line.split(";");
      const index = pair.indexOf("=");
      const name = pair.slice(0, index).trim();
      const value = pair.slice(index + 1).trim();
      const expired = attributes.some((a) => a.trim().toLowerCase() === "max-age=0");
      if (expired || value === "") this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    return response;
  }

  get(path: string): Promise<Response> {
    return this.request(path);
  }
}

/** A started simulator with an application whose redirect URIs are the server's, and a test context. */
export async function oauthWorld(options: { configure?: boolean } = {}) {
  const sim: DiscordSim = await startDiscordSim();
  const application: SimApplication = sim.seed.application({
    redirectUris: [`${BASE}/discord/callback`, `${BASE}/login/discord/callback`],
  });
  const { ctx, teardown } = await createTestContext({
    settings: {
      publicBaseUrl: BASE,
      discordApiBaseUrl: sim.apiBaseUrl,
      discordAuthorizeUrl: sim.authorizeUrl,
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
