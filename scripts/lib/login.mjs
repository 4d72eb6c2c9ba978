// Login with Discord from only the packages a login needs (issue 12's "done when"): their tarballs
// and express 5 in a project of their own, `scripts/check-packages/login-express.ts` type-checked
// there with skipLibCheck false (node16 and bundler) and run — a full login against discord-sim.
import { existsSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { run, tail } from "./proc.mjs";
import { copyFixture, installScratch, typecheckProject, workspaceInstall } from "./scratch.mjs";
import { withDependencies } from "./workspace.mjs";

/** What a team adding Login with Discord to an Express app installs; discord-sim is its Discord. */
export const LOGIN = [
  "@guildkit/oauth-state",
  "@guildkit/discord-rest",
  "@guildkit/store-sqlite",
  "@guildkit/discord-sim",
];

/** What a login project must not get: the cores of features it does not run, the worker, ioredis. */
export const NOT_FOR_LOGIN = [
  "@guildkit/role-reconciler",
  "@guildkit/pk-speedbump",
  "@guildkit/worker",
  "@guildkit/store-postgres",
  "ioredis",
];

const FIXTURE = "login-express.ts";

/** express and @types/express at the versions examples/express installed (the npm cache has them). */
function expressSpecs(root) {
  return ["express", "@types/express"].map((dep) => {
    const installed = workspaceInstall(join(root, "examples", "express"), dep);
    return installed ? `${dep}@${installed.version}` : null;
  });
}

/** Installs {@link LOGIN} (with what they depend on) and express 5, type-checks and runs the login. */
export async function checkLogin(root, work, packable, report, note) {
  const subset = withDependencies(packable, LOGIN);
  const express = expressSpecs(root);
  if (express.includes(null)) {
    report("(login)", "examples/express has no express or @types/express installed: run pnpm install");
    return;
  }
  note(`installing ${subset.map((p) => p.name).join(", ")}, ${express.join(", ")}`);
  const scratch = await installScratch(root, join(work, "login"), subset, report, express);
  if (!scratch) return;
  for (const dep of NOT_FOR_LOGIN) {
    if (existsSync(join(scratch, "node_modules", dep)))
      report("(login)", `${dep} got installed for a login: nothing a login installs may depend on it`);
  }
  copyFixture(root, scratch, FIXTURE);
  const fixture = `scripts/check-packages/${FIXTURE}`;
  const typed = await typecheckProject(
    root,
    scratch,
    subset,
    {
      include: ["peers/*.ts"],
      label: "types (login project)",
      locateOther: (file, line) =>
        file.endsWith(FIXTURE) ? { name: "(login)", where: `${fixture}:${line}` } : null,
    },
    report,
  );
  if (!typed) return;
  const localOnly = pathToFileURL(join(root, "scripts", "check-packages", "local-only.mjs")).href;
  const ran = await run(
    process.execPath,
    ["--import", localOnly, join(scratch, "out", "peers", FIXTURE.replace(/\.ts$/, ".js"))],
    {
      cwd: scratch,
      env: { PATH: process.env.PATH, HOME: process.env.HOME, TMPDIR: process.env.TMPDIR ?? "/tmp" },
      timeoutMs: 60_000,
    },
  );
  if (ran.code !== 0) report("(login)", `${fixture} failed (exit ${ran.code}):\n${tail(ran.output)}`);
  else note(`${fixture}: ${ran.output.trim().split("\n").at(-1)} (${(ran.ms / 1000).toFixed(1)} s)`);
}
