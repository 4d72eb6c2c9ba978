import { existsSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { type DiscordSim, startDiscordSim } from "@guildkit/discord-sim";
import { serve } from "@hono/node-server";
import type { Hono } from "hono";
import { type Browser, chromium } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createServerApp } from "../src/app";
import { createTestContext } from "./helpers";
import { configureOAuth } from "./oauth-helpers";

const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const hasChromium = existsSync(CHROMIUM);
if (!hasChromium && !process.env.CI) {
  console.warn(`oauth browser test skipped: no Chromium at ${CHROMIUM} (set CHROMIUM_PATH)`);
}

describe.skipIf(!hasChromium && !process.env.CI)("login with Discord in Chromium", () => {
  let sim: DiscordSim;
  let browser: Browser;
  let base: string;
  let closeServer: () => Promise<void>;
  let teardownContext: () => Promise<void>;

  beforeAll(async () => {
    sim = await startDiscordSim();
    let app: Hono | null = null;
    const server = serve({
      fetch: (request) => app?.fetch(request) ?? new Response(null, { status: 503 }),
      port: 0,
      hostname: "127.0.0.1",
    });
    await new Promise<void>((resolve) => server.once("listening", () => resolve()));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const application = sim.seed.application({
      redirectUris: [`${base}/discord/callback`, `${base}/login/discord/callback`],
    });
    const { ctx, teardown } = await createTestContext({
      settings: {
        publicBaseUrl: base,
        discordApiBaseUrl: sim.apiBaseUrl,
        discordAuthorizeUrl: sim.authorizeUrl,
      },
    });
    teardownContext = teardown;
    await configureOAuth(ctx, application);
    app = createServerApp(ctx);
    closeServer = () => new Promise((resolve) => server.close(() => resolve()));
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
    });
  });

  afterAll(async () => {
    await browser?.close();
    await closeServer?.();
    await teardownContext?.();
    await sim?.close();
  });

  it("a person logs in with Discord, confirms signup, lands on the requested path, then replaces the linked account with another after confirming", async () => {
    const nelly = sim.seed.user({
      username: "nelly",
      global_name: "Nelly",
      email: "nelly@example.test",
      verified: true,
    });
    const alt = sim.seed.user({
      username: "nelly_alt",
      global_name: null,
      email: "alt@example.test",
      verified: true,
    });
    const page = await browser.newPage();
    try {
      await page.goto(`${base}/?next=${encodeURIComponent("/me?welcome=1")}`);
      await page.click("#login-discord");

      // The simulator's authorization page; the browser holds the binding cookie meanwhile.
      await page.waitForURL((url) => url.href.startsWith(sim.authorizeUrl));
      const binding = async () =>
        (await page.context().cookies(base)).find((c) => c.name === "gk_oauth_binding");
      expect(await binding()).toMatchObject({ httpOnly: true, sameSite: "Lax", path: "/" });
      await page.selectOption("select[name=user]", nelly.id);
      await page.click("button[value=authorize]");

      // Back on the server: no member has this email yet, so the signup confirmation page.
      await page.waitForSelector("#confirm-signup");
      expect(await page.textContent("#signup-email")).toBe("nelly@example.test");
      await page.click("#confirm-signup");

      await page.waitForURL(`${base}/me?welcome=1`);
      expect(await page.textContent("#discord-user-id")).toBe(nelly.id);
      expect(await page.textContent("#member-email")).toBe("nelly@example.test");

      // Signed in: link a Discord account.
      await page.click("#link-discord");
      await page.waitForURL((url) => url.href.startsWith(sim.authorizeUrl));
      await page.selectOption("select[name=user]", alt.id);
      await page.click("button[value=authorize]");
      // Already linked to nelly: the server asks before replacing it.
      await page.waitForSelector("#confirm-replace");
      expect(await page.textContent("#replace-previous")).toBe(`Nelly (${nelly.id})`);
      expect(await page.textContent("#replace-next")).toBe(`nelly_alt (${alt.id})`);
      await page.click("#confirm-replace");
      await page.waitForURL(`${base}/me?welcome=1`);
      expect(await page.textContent("#discord-user-id")).toBe(alt.id);

      // Its job done (signed in, then linked), the binding cookie is gone.
      expect(await binding()).toBeUndefined();
    } finally {
      await page.close();
    }
  });
});
