import { type DiscordSim, type SimUser, startDiscordSim } from "@guildkit/discord-sim";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ExampleConfig } from "../src/discord-login";
import type { RunningExample } from "../src/serve";
import { Browser } from "./browser";

/** The public URL the examples are configured with; the test browser sends it to the real address. */
export const PUBLIC_URL = "http://app.example.test";

/** A started discord-sim with an application registered for `PUBLIC_URL`'s callback and a verified user. */
export interface LoginWorld {
  sim: DiscordSim;
  user: SimUser;
  /** The example's configuration, pointing at the simulator. */
  config: ExampleConfig;
}

export async function startLoginWorld(): Promise<LoginWorld> {
  const sim = await startDiscordSim();
  const app = sim.seed.application({
    name: "Example",
    redirectUris: [`${PUBLIC_URL}/login/discord/callback`],
  });
  const user = sim.seed.user({ username: "alice", email: "alice@example.test", verified: true });
  const config: ExampleConfig = {
    publicUrl: PUBLIC_URL,
    stateSecret: "an-example-state-secret-of-at-least-32-bytes",
    discord: {
      clientId: app.clientId,
      clientSecret: app.clientSecret,
      apiBaseUrl: sim.apiBaseUrl,
      authorizeUrl: sim.authorizeUrl,
    },
  };
  return { sim, user, config };
}

/**
 * `GET /login/discord` on the example, then the simulator's consent page over HTTP, pressing **Authorize** as
 * `user`: resolves to the callback URL Discord sends the browser back to (with `code` and `state`).
 */
export async function authorizeAt(browser: Browser, world: LoginWorld): Promise<URL> {
  const start = await browser.get(`${PUBLIC_URL}/login/discord`);
  expect(start.status).toBe(302);
  const authorize = new URL(start.headers.get("location") ?? "");
  expect(`${authorize.origin}${authorize.pathname}`).toBe(world.sim.authorizeUrl);

  const page = await browser.get(authorize.href);
  expect(page.status).toBe(200);
  expect(await page.text()).toContain("Example wants to access your account");

  const form = Object.fromEntries(authorize.searchParams);
  const consent = await browser.post(`${authorize.origin}/oauth2/authorize`, {
    ...form,
    user: world.user.id,
    action: "authorize",
  });
  expect([302, 303]).toContain(consent.status);
  const callback = new URL(consent.headers.get("location") ?? "");
  expect(`${callback.origin}${callback.pathname}`).toBe(`${PUBLIC_URL}/login/discord/callback`);
  return callback;
}

/**
 * The login every example must pass, over real HTTP against discord-sim: `start(config)` starts the
 * example on port 0 and says where it listens. `timeoutMs` bounds the start and each test (default:
 * vitest's).
 */
export function describeDiscordLogin(
  framework: string,
  start: (config: ExampleConfig) => Promise<RunningExample>,
  options: { timeoutMs?: number } = {},
): void {
  const timeout = options.timeoutMs;
  describe(`${framework} example: Login with Discord against discord-sim`, { timeout }, () => {
    let world: LoginWorld;
    let example: RunningExample;
    beforeAll(async () => {
      world = await startLoginWorld();
      example = await start(world.config);
    }, timeout);
    afterAll(async () => {
      await example?.close();
      await world?.sim.close();
    });
    const browser = () => new Browser({ [PUBLIC_URL]: example.url });

    it("signs a Discord user in: /login/discord → Discord's consent → callback → session → /me names the user", async () => {
      const b = browser();
      expect((await b.get(`${PUBLIC_URL}/me`)).status).toBe(401);
      const callback = await authorizeAt(b, world);

      const signedIn = await b.get(callback.href);
      expect(signedIn.status).toBe(303);
      expect(signedIn.headers.get("location")).toBe("/");
      expect(signedIn.headers.getSetCookie().some((c) => c.startsWith("gk_session="))).toBe(true);

      const me = await b.get(`${PUBLIC_URL}/me`);
      expect(me.status).toBe(200);
      expect(await me.json()).toMatchObject({
        discord: { id: world.user.id, username: "alice", email: "alice@example.test" },
      });
      expect(await (await b.get(`${PUBLIC_URL}/`)).text()).toContain("Signed in as <b>alice</b>");

      const logout = await b.post(`${PUBLIC_URL}/logout`);
      expect(logout.status).toBe(303);
      expect((await b.get(`${PUBLIC_URL}/me`)).status).toBe(401);
    });

    it("refuses a callback whose state was tampered with, and signs no one in", async () => {
      const b = browser();
      const callback = await authorizeAt(b, world);
      const state = callback.searchParams.get("state") ?? "";
      // One character inside the HS256 signature (the very last one also carries padding bits).
      const at = state.length - 5;
      const swapped = state[at] === "A" ? "B" : "A";
      callback.searchParams.set("state", state.slice(0, at) + swapped + state.slice(at + 1));

      const refused = await b.get(callback.href);
      expect(refused.status).toBe(400);
      expect(refused.headers.getSetCookie().some((c) => c.startsWith("gk_session="))).toBe(false);
      expect((await b.get(`${PUBLIC_URL}/me`)).status).toBe(401);
    });
  });
}
