import { existsSync } from "node:fs";
import type { DiscordSim } from "@guildkit/discord-sim";
import { type Browser, chromium } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { servedWorld } from "./oauth-helpers";

const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const hasChromium = existsSync(CHROMIUM);
if (!hasChromium && !process.env.CI) {
  console.warn(`oauth browser test skipped: no Chromium at ${CHROMIUM} (set CHROMIUM_PATH)`);
}

describe.skipIf(!hasChromium && !process.env.CI)("login with Discord in Chromium", () => {
  let browser: Browser;
  let world: Awaited<ReturnType<typeof servedWorld>>;
  let sim: DiscordSim;
  let base: string;

  beforeAll(async () => {
    world = await servedWorld();
    ({ sim, base } = world);
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
    });
  });

  afterAll(async () => {
    await browser?.close();
    await world?.close();
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
