import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { PNG_SIGNATURE } from "../src/index";
import { ALICE, GUILD, startWorld, type World } from "./helpers";

let w: World;
beforeEach(async () => {
  w = await startWorld();
});
afterEach(async () => {
  await w.sim.close();
});

const ALICE_AVATAR = "0123456789abcdef0123456789abcdef";
const ALICE_GUILD_AVATAR = "fedcba9876543210fedcba9876543210";

async function bytes(res: Response): Promise<Buffer> {
  return Buffer.from(await res.arrayBuffer());
}

describe("CDN", () => {
  it("serves a user avatar as real PNG bytes", async () => {
    const res = await fetch(`${w.sim.cdnBaseUrl}/avatars/${ALICE}/${ALICE_AVATAR}.png`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("image/png");
    const png = await bytes(res);
    expect(png.subarray(0, 8).equals(PNG_SIGNATURE)).toBe(true);
    expect(png.subarray(12, 16).toString("ascii")).toBe("IHDR");
  });

  it("draws the same bytes for the same hash and honours ?size=", async () => {
    const url = `${w.sim.cdnBaseUrl}/avatars/${ALICE}/${ALICE_AVATAR}.png?size=64`;
    const a = await bytes(await fetch(url));
    const b = await bytes(await fetch(url));
    expect(a.equals(b)).toBe(true);
    expect(a.readUInt32BE(16)).toBe(64);
    expect(a.readUInt32BE(20)).toBe(64);
  });

  it("serves guild member avatars", async () => {
    const res = await fetch(
      `${w.sim.cdnBaseUrl}/guilds/${GUILD}/users/${ALICE}/avatars/${ALICE_GUILD_AVATAR}.webp`,
    );
    expect(res.status).toBe(200);
    expect((await bytes(res)).subarray(0, 8).equals(PNG_SIGNATURE)).toBe(true);
  });

  it("answers 404 without JSON for an unknown hash", async () => {
    const res = await fetch(`${w.sim.cdnBaseUrl}/avatars/${ALICE}/00000000000000000000000000000000.png`);
    expect(res.status).toBe(404);
    expect(res.headers.get("content-type")).not.toContain("json");
  });

  it("answers 400 for a size that is not a power of two between 16 and 4096", async () => {
    const res = await fetch(`${w.sim.cdnBaseUrl}/avatars/${ALICE}/${ALICE_AVATAR}.png?size=100`);
    expect(res.status).toBe(400);
  });

  it("needs no authorization and is not counted against the bot's global limit", async () => {
    await w.sim.close();
    w = await startWorld({ globalPerSecond: 1 });
    for (let i = 0; i < 3; i++) {
      expect((await fetch(`${w.sim.cdnBaseUrl}/avatars/${ALICE}/${ALICE_AVATAR}.png`)).status).toBe(200);
    }
    expect((await w.bot(`/guilds/${GUILD}/roles`)).status).toBe(200);
  });
});
