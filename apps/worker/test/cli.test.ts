import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { TEST_SECRET_KEY } from "@guildkit/store-testkit";
import { describe, expect, it } from "vitest";
import { cliExitCode, runCli } from "../../../packages/worker/test/cli-harness";

const CLI = fileURLToPath(new URL("../src/cli.ts", import.meta.url));
// No command here opens the database: a path that is never created is enough.
const env = {
  DATABASE_URL: join(tmpdir(), "guildkit-app-cli-unused.sqlite"),
  GUILDKIT_SECRET_KEY: TEST_SECRET_KEY,
};

/** The app's `guildkit` (the package's CLI, relay included) in this process. */
const run = (argv: string[]) => runCli(argv, env);

describe("the reference app's guildkit: the package's CLI, relay included", () => {
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
    const exit = (args: string[]) => cliExitCode(CLI, args, env);
    expect(await exit(["relay", "--help"])).toBe(0);
    expect(await exit(["frobnicate"])).toBe(2);
  });
});
