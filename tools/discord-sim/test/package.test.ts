import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";

const manifest = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8"));
const readme = readFileSync(new URL("../README.md", import.meta.url), "utf8");
const cli = readFileSync(new URL("../src/cli.ts", import.meta.url), "utf8");

describe("the published package", () => {
  it("is publishable like the packages/*: ESM, types first, dist in the tarball, public access, MIT, Node 20", () => {
    expect(manifest.name).toBe("@guildkit/discord-sim");
    expect(manifest.private).toBeUndefined();
    expect(manifest.type).toBe("module");
    expect(manifest.license).toBe("MIT");
    expect(manifest.engines.node).toBe(">=20.18");
    expect(manifest.files).toEqual(["dist"]);
    expect(Object.keys(manifest.exports["."])).toEqual(["types", "default"]);
    expect(manifest.publishConfig).toMatchObject({
      access: "public",
      exports: { ".": { types: "./dist/index.d.ts", default: "./dist/index.js" } },
      bin: { "discord-sim": "./dist/cli.js" },
    });
    expect(Object.keys(manifest.publishConfig.exports["."])[0]).toBe("types");
    expect(manifest.scripts.build).toBe("tsup");
    expect(manifest.keywords).toEqual(expect.arrayContaining(["discord", "testing"]));
    expect(manifest.repository).toMatchObject({ type: "git", directory: "tools/discord-sim" });
  });

  it("ships its CLI as an executable entry", () => {
    expect(cli.startsWith("#!/usr/bin/env node\n")).toBe(true);
  });

  it("documents every route key, control seed kind and inspection it serves", async () => {
    const { DEFAULT_ROUTE_LIMITS } = await import("../src/index");
    for (const route of Object.keys(DEFAULT_ROUTE_LIMITS)) expect(readme, route).toContain(`\`${route}\``);
    for (const kind of [
      "ban",
      "oauth-grant",
      "revoke-authorization",
      "role-connection-metadata",
      "role-connection",
    ]) {
      expect(readme, kind).toContain(`\`${kind}\``);
    }
    for (const what of ["oauth-grants", "role-connection?applicationId=", "joins", "kicks", "bans"]) {
      expect(readme, what).toContain(`\`${what}`);
    }
  });
});
