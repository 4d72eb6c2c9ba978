import { systemClock } from "@guildkit/core/system";
import { createDiscordIdentityProvider } from "@guildkit/discord-rest";
import {
  createOAuthFlows,
  createOAuthWebHandlers,
  createSessions,
  escapeHtml,
  isSameOrigin,
  type OAuthWebHandlers,
} from "@guildkit/oauth-state";
import { createSqliteStore, openSqliteDatabase } from "@guildkit/store-sqlite";

/** What an example needs to know: where it is served, its state secret and the Discord application. */
export interface ExampleConfig {
  /** The URL people open (`http://localhost:3000`); the callback is `<publicUrl>/login/discord/callback`. */
  publicUrl: string;
  /** At least 32 bytes (`openssl rand -base64 48`); signs the OAuth state. */
  stateSecret: string;
  discord: {
    clientId: string;
    clientSecret: string;
    /** Default Discord's `https://discord.com/api/v10`. */
    apiBaseUrl?: string;
    /** Default Discord's `https://discord.com/oauth2/authorize`. */
    authorizeUrl?: string;
  };
  /** SQLite file; default `:memory:` (everything is forgotten when the process ends). */
  databaseFile?: string;
}

/** Reads {@link ExampleConfig} from `PUBLIC_URL`, `STATE_SECRET`, `DISCORD_CLIENT_ID`, … (see the READMEs). */
export function configFromEnv(env: NodeJS.ProcessEnv = process.env): ExampleConfig {
  const need = (name: string): string => {
    const value = env[name];
    if (!value) throw new Error(`${name} is not set: see the example's README`);
    return value;
  };
  return {
    publicUrl: env.PUBLIC_URL ?? `http://localhost:${env.PORT ?? 3000}`,
    stateSecret: need("STATE_SECRET"),
    discord: {
      clientId: need("DISCORD_CLIENT_ID"),
      clientSecret: need("DISCORD_CLIENT_SECRET"),
      apiBaseUrl: env.DISCORD_API_BASE_URL,
      authorizeUrl: env.DISCORD_AUTHORIZE_URL,
    },
    databaseFile: env.DATABASE_FILE,
  };
}

/** The routes every example mounts, each `(Request) => Promise<Response>`. */
export interface DiscordLogin {
  /** `GET /` → "Signed in as …" or a "Login with Discord" link. */
  home(request: Request): Promise<Response>;
  /** `GET /login/discord` → 302 to Discord's authorize page. */
  startLogin: OAuthWebHandlers["startLogin"];
  /** `GET /login/discord/callback` → the session cookie and 303 to `/me`, or a refusal page. */
  loginCallback: OAuthWebHandlers["loginCallback"];
  /** `GET /me` → the signed-in member and their Discord account as JSON, or 401. */
  me(request: Request): Promise<Response>;
  /** `POST /logout` (same-origin) → the session revoked, 303 to `/`. */
  logout(request: Request): Promise<Response>;
  /** Closes the database. */
  close(): Promise<void>;
}

/** A route every example serves: `GET /login/discord` → `login.startLogin`. */
export interface LoginRoute {
  method: "GET" | "POST";
  path: string;
  handler: (request: Request) => Promise<Response>;
}

/** The routes of {@link DiscordLogin}, for frameworks that register routes in a loop (Next.js: one file each). */
export function loginRoutes(login: DiscordLogin): LoginRoute[] {
  return [
    { method: "GET", path: "/", handler: login.home },
    { method: "GET", path: "/login/discord", handler: login.startLogin },
    { method: "GET", path: "/login/discord/callback", handler: login.loginCallback },
    { method: "GET", path: "/me", handler: login.me },
    { method: "POST", path: "/logout", handler: login.logout },
  ];
}

const json = (body: unknown, status = 200) =>
  new Response(JSON.stringify(body), {
    status,
    headers: { "content-type": "application/json", "cache-control": "no-store" },
  });

/**
 * Login with Discord on guildkit: a SQLite store, the Discord identity provider, the OAuth flows and
 * server-side sessions, as web-standard handlers any framework can mount. A first login creates the member.
 */
export async function createDiscordLogin(config: ExampleConfig): Promise<DiscordLogin> {
  const store = createSqliteStore({ database: openSqliteDatabase(config.databaseFile ?? ":memory:") });
  await store.migrate();
  const base = config.publicUrl.replace(/\/+$/, "");
  const secureCookies = base.startsWith("https:");
  const sessions = createSessions({ store: store.oauth.sessions, clock: systemClock, secureCookies });
  const { clientId, clientSecret, apiBaseUrl, authorizeUrl } = config.discord;

  const flows = createOAuthFlows<Response>({
    stateSecret: config.stateSecret,
    redirectUris: { login: `${base}/login/discord/callback`, link: `${base}/discord/callback` },
    authorizeUrl,
    client: { load: async () => ({ clientId }) },
    identity: createDiscordIdentityProvider({ credentials: { clientId, clientSecret }, apiBaseUrl }),
    members: store.oauth.memberAccounts,
    transactions: {
      run: (fn, io) =>
        store.transaction((tx) => fn({ accounts: tx.oauth.memberAccounts, syncDue: tx.roleSync.queue }), io),
    },
    nonces: store.oauth.nonces,
    eventLog: store.eventLog,
    clock: systemClock,
    async onLoginComplete({ memberId, postLoginPath }, io) {
      const { setCookie } = await sessions.start({ memberId }, io);
      return new Response(null, {
        status: 303,
        headers: { location: postLoginPath, "set-cookie": setCookie },
      });
    },
  });
  const handlers = createOAuthWebHandlers({
    flows,
    sessions,
    secureCookies,
  });

  const memberOf = async (request: Request) => {
    const memberId = await sessions.memberIdOf(request);
    return memberId === null ? null : store.members.getById(memberId);
  };

  return {
    async home(request) {
      const member = await memberOf(request);
      const body = member
        ? `<p>Signed in as <b>${escapeHtml(member.discordUsername ?? member.id)}</b> · <a href="/me">/me</a></p>` +
          `<form method="post" action="/logout"><button>Sign out</button></form>`
        : `<p><a href="/login/discord">Login with Discord</a></p>`;
      return new Response(`<!doctype html><title>guildkit example</title>${body}`, {
        headers: { "content-type": "text/html; charset=utf-8", "cache-control": "no-store" },
      });
    },
    startLogin: handlers.startLogin,
    loginCallback: handlers.loginCallback,
    async me(request) {
      const member = await memberOf(request);
      if (member === null) return json({ error: "not signed in", login: "/login/discord?next=/me" }, 401);
      return json({
        memberId: member.id,
        discord: { id: member.discordUserId, username: member.discordUsername, email: member.discordEmail },
      });
    },
    async logout(request) {
      if (!isSameOrigin(request, new URL(base).origin)) return json({ error: "cross-site request" }, 403);
      const setCookie = await sessions.end(request);
      return new Response(null, { status: 303, headers: { location: "/", "set-cookie": setCookie } });
    },
    close: () => store.close(),
  };
}
