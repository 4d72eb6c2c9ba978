import { afterEach, describe, expect, it } from "vitest";
import { DEMO, seedDemo, startDiscordSim } from "../src/index";
import type { DiscordSim } from "../src/types";
import { GUILD, readJson, startWorld, UA, type World } from "./helpers";

let w: World | null = null;
let sim: DiscordSim | null = null;
afterEach(async () => {
  await w?.sim.close();
  await sim?.close();
  w = null;
  sim = null;
});

describe("API surface", () => {
  it("answers 404 code 0 for an unknown API route and 400 50041 for a discontinued version", async () => {
    w = await startWorld();
    const unknown = await w.bot("/nothing/here");
    expect(unknown.status).toBe(404);
    expect(await readJson(unknown)).toEqual({ message: "404: Not Found", code: 0 });
    const old = await w.raw(`/api/v5/guilds/${GUILD}/roles`);
    expect(old.status).toBe(400);
    expect((await readJson(old)).code).toBe(50041);
  });

  it("with strictUserAgent, answers 403 to a User-Agent that does not start with DiscordBot", async () => {
    w = await startWorld({ strictUserAgent: true });
    expect((await w.bot(`/guilds/${GUILD}/roles`)).status).toBe(200);
    const res = await w.bot(`/guilds/${GUILD}/roles`, { headers: { "User-Agent": "curl/8" } });
    expect(res.status).toBe(403);
    expect(w.sim.inspect.invalidRequests()).toBe(1);
  });

  it("reports its URLs", async () => {
    sim = await startDiscordSim();
    expect(sim.apiBaseUrl).toBe(`${sim.url}/api/v10`);
    expect(sim.authorizeUrl).toBe(`${sim.url}/oauth2/authorize`);
    expect(sim.cdnBaseUrl).toBe(`${sim.url}/cdn`);
    expect(sim.pluralkitBaseUrl).toBe(`${sim.url}/pk/v2`);
    expect(sim.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  });

  it("seedDemo builds the CLI's world: the fixed bot token reads the guild and the webhook posts", async () => {
    sim = await startDiscordSim();
    const demo = seedDemo(sim);
    const auth = { Authorization: `Bot ${DEMO.botToken}`, "User-Agent": UA };
    const roles = await readJson(fetch(`${sim.apiBaseUrl}/guilds/${demo.guildId}/roles`, { headers: auth }));
    expect(roles.map((r: { name: string }) => r.name)).toContain("Member");
    const posted = await fetch(
      `${sim.apiBaseUrl}/webhooks/${DEMO.webhookId}/${DEMO.webhookToken}?wait=true`,
      {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ content: "hello from the demo" }),
      },
    );
    expect((await readJson(posted)).application_id).toBe(DEMO.clientId);
    const location = new URL(
      await sim.authorize(
        `${sim.authorizeUrl}?client_id=${DEMO.clientId}&response_type=code&scope=identify&redirect_uri=${encodeURIComponent(DEMO.redirectUris[1])}`,
      ),
    );
    expect(location.searchParams.get("code")).toBeTruthy();
  });
});
