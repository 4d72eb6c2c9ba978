import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { TEST_SECRET_KEY } from "@guildkit/store-testkit";
import { type CliIo, runCli } from "@guildkit/worker";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { registerRelay } from "../src/commands/relay";

const CLI = fileURLToPath(new URL("../src/cli.ts", import.meta.url));
let dir: string;
let env: Record<string, string>;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "guildkit-app-cli-"));
  env = { DATABASE_URL: join(dir, "db.sqlite"), GUILDKIT_SECRET_KEY: TEST_SECRET_KEY };
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** The app's `guildkit` (the package's CLI plus `relay`) in this process. */
async function run(argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIo = {
    out: { write: (t) => out.push(t), isTTY: false },
    err: { write: (t) => err.push(t) },
    env: { LOG_LEVEL: "silent", ...env },
    readStdin: async () => "",
  };
  const code = await runCli(argv, { io, commands: [registerRelay] });
  return { code, stdout: out.join(""), stderr: err.join("") };
}

describe("the reference app's guildkit: the package's CLI plus relay", () => {
  it("--help lists relay beside the package's commands", async () => {
    const help = await run(["--help"]);
    expect(help.code).toBe(0);
    for (const command of ["migrate", "reconcile", "secrets", "relay"]) {
      expect(help.stdout).toMatch(new RegExp(`^  ${command}\\b`, "m"));
    }
  });

  it("relay --help prints its options and exits 0; relay without --sink is a usage error", async () => {
    const help = await run(["relay", "--help"]);
    expect(help).toMatchObject({ code: 0 });
    expect(help.stdout).toMatch(/--sink <url>/);
    const missing = await run(["relay"]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/required option '--sink <url>'/);
  });

  it("src/cli.ts exits with the code the CLI resolves (a child process)", async () => {
    const exit = (args: string[]) =>
      new Promise<number>((resolve) =>
        execFile(
          process.execPath,
          ["--import", "tsx", CLI, ...args],
          { env: { ...process.env, ...env } },
          (error) => resolve(error ? Number(error.code ?? 1) : 0),
        ),
      );
    expect(await exit(["relay", "--help"])).toBe(0);
    expect(await exit(["frobnicate"])).toBe(2);
  });
});
