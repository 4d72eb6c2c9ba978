// Compiled (skipLibCheck false, node16 and bundler) and run by `pnpm check:packages` in a project of
// its own that installed only what Login with Discord needs — @guildkit/oauth-state,
// @guildkit/discord-rest, @guildkit/store-sqlite (with kysely and better-sqlite3) and express 5 —
// plus @guildkit/discord-sim standing in for Discord. No role-reconciler, speedbump or worker.
// A full login over HTTP: /login/discord → Discord's consent page → callback → session → /me.
import type { AddressInfo } from "node:net";
import { createDiscordIdentityProvider } from "@guildkit/discord-rest";
import { startDiscordSim } from "@guildkit/discord-sim";
import { createOAuthFlows, createOAuthWebHandlers, createSessions } from "@guildkit/oauth-state";
import { createSqliteStore, openSqliteDatabase } from "@guildkit/store-sqlite";
import express, { type Request as ExpressRequest, type Response as ExpressResponse } from "express";

const sim = await startDiscordSim();
const app = express();
const server = app.listen(0, "127.0.0.1");
await new Promise((resolve) => server.once("listening", resolve));
const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
const discordApp = sim.seed.application({ name: "Check", redirectUris: [`${base}/login/discord/callback`] });
const user = sim.seed.user({ username: "alice", email: "alice@example.test", verified: true });

const store = createSqliteStore({ database: openSqliteDatabase(":memory:"), features: ["login"] });
await store.migrate();
const clock = { now: () => new Date() };
const sessions = createSessions({ store: store.oauth.sessions, clock, secureCookies: false });
const { clientId, clientSecret } = discordApp;
const flows = createOAuthFlows<Response>({
  stateSecret: "a-state-secret-of-at-least-32-bytes-for-the-check",
  redirectUris: { login: `${base}/login/discord/callback`, link: `${base}/discord/callback` },
  authorizeUrl: sim.authorizeUrl,
  client: { load: async () => ({ clientId }) },
  identity: createDiscordIdentityProvider({
    credentials: { clientId, clientSecret },
    apiBaseUrl: sim.apiBaseUrl,
  }),
  members: store.oauth.memberAccounts,
  // No role sync here: nothing to mark due.
  transactions: {
    run: (fn) => fn({ accounts: store.oauth.memberAccounts, syncDue: { markDue: async () => 0 } }),
  },
  nonces: store.oauth.nonces,
  eventLog: store.eventLog,
  clock,
  async onLoginComplete({ memberId, postLoginPath }, io) {
    const { setCookie } = await sessions.start({ memberId }, io);
    return new Response(null, { status: 303, headers: { location: postLoginPath, "set-cookie": setCookie } });
  },
});
const handlers = createOAuthWebHandlers({ flows, sessions, secureCookies: false });

// Express 5 ↔ web Request/Response (GET routes only).
const mount =
  (handler: (request: Request) => Promise<Response>) => async (req: ExpressRequest, res: ExpressResponse) => {
    const headers = new Headers();
    for (const [name, value] of Object.entries(req.headers))
      if (typeof value === "string") headers.set(name, value);
    const response = await handler(new Request(new URL(req.originalUrl, base), { headers }));
    response.headers.forEach((value, name) => {
      if (name !== "set-cookie") res.setHeader(name, value);
    });
    if (response.headers.getSetCookie().length) res.setHeader("set-cookie", response.headers.getSetCookie());
    res.status(response.status).send(Buffer.from(await response.arrayBuffer()));
  };
app.get("/login/discord", mount(handlers.startLogin));
app.get("/login/discord/callback", mount(handlers.loginCallback));
app.get(
  "/me",
  mount(async (request) => {
    const memberId = await sessions.memberIdOf(request);
    const member = memberId === null ? null : await store.members.getById(memberId);
    return Response.json(member ? { discordUserId: member.discordUserId } : { error: "not signed in" }, {
      status: member ? 200 : 401,
    });
  }),
);

// The browser: a cookie jar and manual redirects.
const jar = new Map<string, string>();
const get = async (url: string, init: RequestInit = {}) => {
  const cookie = [...jar].map(([name, value]) => `${name}=${value}`).join("; ");
  const res = await fetch(url, { ...init, redirect: "manual", headers: { ...init.headers, cookie } });
  for (const line of res.headers.getSetCookie()) {
    const [pair = ""] = line.split(";");
    jar.set(pair.slice(0, pair.indexOf("=")), pair.slice(pair.indexOf("=") + 1));
  }
  return res;
};
const expect = (what: string, ok: boolean) => {
  if (!ok) throw new Error(`login against discord-sim: ${what}`);
};

expect("/me answers 401 before login", (await get(`${base}/me`)).status === 401);
const start = await get(`${base}/login/discord?next=/me`);
const authorize = new URL(start.headers.get("location") ?? "");
expect(
  "/login/discord redirects to Discord's authorize page",
  start.status === 302 && authorize.href.startsWith(sim.authorizeUrl),
);
expect(
  "the consent page names the application",
  (await (await get(authorize.href)).text()).includes("Check"),
);
const consent = await get(`${authorize.origin}/oauth2/authorize`, {
  method: "POST",
  body: new URLSearchParams({
    ...Object.fromEntries(authorize.searchParams),
    user: user.id,
    action: "authorize",
  }),
});
const callback = consent.headers.get("location") ?? "";
expect("Authorize sends the browser to the callback", callback.startsWith(`${base}/login/discord/callback?`));
const signedIn = await get(callback);
expect(`the callback signs in (${signedIn.status})`, signedIn.status === 303 && jar.has("gk_session"));
const me = await get(`${base}${signedIn.headers.get("location")}`);
const body = (await me.json()) as { discordUserId?: string };
expect(
  `/me names the Discord user (${JSON.stringify(body)})`,
  me.status === 200 && body.discordUserId === user.id,
);

server.close();
await store.close();
await sim.close();
console.log(`signed in as Discord user ${user.id} (${user.username}) through Express: /me names them`);
