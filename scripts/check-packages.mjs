#!/usr/bin/env node
// pnpm check:packages — what a team installing guildkit from npm gets, checked before it ships:
//  1. build every packable package (published ones: package.json not `private`; stand-ins: private
//     but with the prepack guard, like @guildkit/discord-sim, which README examples talk to);
//  2. `pnpm pack` each, check the packed manifest (no workspace: ranges, no src/ entry points, every
//     entry point present, LICENSE, README, release metadata), publint and attw (ESM-only) on it;
//  3. `npm install` every tarball into a scratch project outside the workspace, without ioredis;
//  4. type-check an import of every entry point (subpaths from `exports`) and every README example
//     with moduleResolution node16 and bundler, `skipLibCheck: false`; load the entry points in Node;
//  5. run each published README's example (the first ```ts block under `## Usage`);
//  6. install each ioredis major the optional peer range names and run a clustered budget with it;
//  7. role sync from only role-reconciler + store-postgres + discord-rest + worker (and what they
//     depend on) in a project of its own: type-checked with skipLibCheck false (node16, bundler),
//     @guildkit/worker's README example run there, and its bin on plain node;
//  8. login from only oauth-state + discord-rest + store-sqlite and express 5 in a project of its
//     own: scripts/check-packages/login-express.ts type-checked the same way and run (a full login).
// Prints one line per problem and exits 1 when there is any. `--keep` keeps the scratch folder.
// DEVELOPERS.md ("Packages and releases") documents the conventions.
import { randomBytes } from "node:crypto";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { exampleLocator, needsPostgres, runExamples, writeExamples } from "./lib/examples.mjs";
import { checkLogin } from "./lib/login.mjs";
import { PREPACK } from "./lib/packaging.mjs";
import { pool, run, tail } from "./lib/proc.mjs";
import { checkRedisPeer } from "./lib/redis-peer.mjs";
import { installScratch, typecheckProject } from "./lib/scratch.mjs";
import { dropSchemas, hostPort, tcpAnswers } from "./lib/services.mjs";
import { buildAll, lintTarballs, packOne } from "./lib/tarballs.mjs";
import { withDependencies, workspacePackages } from "./lib/workspace.mjs";

const root = fileURLToPath(new URL("..", import.meta.url));
const keep = process.argv.includes("--keep");
const ci = process.env.CI === "true";
const databaseUrl = process.env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test";
const redisUrl = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
const started = Date.now();
const problems = [];
const report = (name, message) => {
  problems.push({ name, message });
  console.error(`✗ ${name}: ${message}`);
};
const note = (message) => console.log(`  ${message}`);
const seconds = (since) => `${((Date.now() - since) / 1000).toFixed(1)} s`;

/** Runs one step, printing its name and duration. */
async function step(label, fn) {
  const at = Date.now();
  const before = problems.length;
  console.log(`-- ${label}`);
  const result = await fn();
  console.log(
    `-- ${label}: ${problems.length === before ? "ok" : `${problems.length - before} problem(s)`} (${seconds(at)})`,
  );
  return result;
}

async function services() {
  const pg = hostPort(databaseUrl, 5432);
  const rd = hostPort(redisUrl, 6379);
  const [pgUp, redisUp] = await Promise.all([tcpAnswers(pg.host, pg.port), tcpAnswers(rd.host, rd.port)]);
  return { postgres: { up: pgUp, required: ci }, redis: { up: redisUp, required: ci } };
}

/** What a team running role sync installs (issue 12's "done when"); discord-sim is what it talks to. */
const STANDALONE = [
  "@guildkit/role-reconciler",
  "@guildkit/store-postgres",
  "@guildkit/discord-rest",
  "@guildkit/worker",
  "@guildkit/discord-sim",
];

/**
 * Step 7: installs only {@link STANDALONE} and their dependencies into a project of its own,
 * type-checks their entry points and @guildkit/worker's README example there (skipLibCheck false,
 * node16 and bundler: no optional peer is installed), runs the example (role sync against
 * discord-sim), and runs the `guildkit` bin as installed — plain node, through its shebang — here
 * and in the full scratch.
 */
async function checkStandalone(work, fullScratch, packable, svc) {
  const subset = withDependencies(packable, STANDALONE);
  note(`installing ${subset.map((p) => p.name).join(", ")}`);
  const scratch = await installScratch(root, join(work, "standalone"), subset, report);
  if (!scratch) return [];
  for (const optional of ["@guildkit/store-sqlite", "better-sqlite3"]) {
    if (existsSync(join(scratch, "node_modules", optional)))
      report(
        "@guildkit/worker",
        `${optional} got installed beside store-postgres: it must stay an optional peer`,
      );
  }
  const worker = subset.filter((p) => p.name === "@guildkit/worker");
  const examples = writeExamples(
    work,
    scratch,
    worker,
    () => {},
    () => {},
  );
  const typed = await typecheckProject(
    root,
    scratch,
    subset,
    { include: ["examples/*.ts"], label: "types (standalone)", locateOther: exampleLocator(examples) },
    report,
  );
  if (!typed) return [];
  const schemas = await runExamples(
    root,
    join(work, "standalone"),
    scratch,
    examples,
    { databaseUrl, postgres: svc.postgres },
    report,
    note,
  );
  const env = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    GUILDKIT_SECRET_KEY: randomBytes(32).toString("base64"),
  };
  const bin = async (dir, args, vars, expect) => {
    const result = await run(join(dir, "node_modules", ".bin", "guildkit"), args, {
      cwd: dir,
      env: { ...env, ...vars },
    });
    const ok = result.code === expect.code && expect.output.test(result.output);
    const what = `guildkit ${args.join(" ")} (${vars.DATABASE_URL ?? "no database"})`;
    if (ok) note(`${what}: exit ${result.code}, as expected`);
    else
      report(
        "@guildkit/worker",
        `${what}: exit ${result.code}, expected ${expect.code} and ${expect.output}:\n${tail(result.output)}`,
      );
  };
  await bin(scratch, ["--help"], {}, { code: 0, output: /reconcile/ });
  await bin(
    scratch,
    ["status"],
    { DATABASE_URL: "postgres://postgres@127.0.0.1:1/none" },
    { code: 3, output: /does not answer/ },
  );
  await bin(
    scratch,
    ["migrate"],
    { DATABASE_URL: join(scratch, "x.sqlite") },
    { code: 1, output: /npm i @guildkit\/store-sqlite/ },
  );
  await bin(
    fullScratch,
    ["migrate"],
    { DATABASE_URL: join(fullScratch, "bin.sqlite") },
    { code: 0, output: /applied \d+ migration/ },
  );
  return schemas;
}

async function main() {
  const all = workspacePackages(root, PREPACK);
  const packable = all.filter((p) => p.published || p.standIn);
  const published = packable.filter((p) => p.published);
  console.log(
    `check:packages: ${published.length} published (${published.map((p) => p.name).join(", ")})` +
      `; stand-ins: ${
        packable
          .filter((p) => p.standIn)
          .map((p) => p.name)
          .join(", ") || "none"
      }`,
  );
  const work = mkdtempSync(join(tmpdir(), "guildkit-packages-"));
  let schemas = [];
  let scratch = null;
  try {
    if (!(await step("build", () => buildAll(root, packable, report)))) return;
    const packed = await step("pack and check each tarball", async () =>
      (await pool(packable, 2, (p) => packOne(root, work, p, report))).every(Boolean),
    );
    if (!packed) return;
    await step("publint and attw (ESM-only)", () => lintTarballs(root, published, report));
    scratch = await step("npm install the tarballs into a scratch project", () =>
      installScratch(root, work, packable, report),
    );
    if (!scratch) return;
    const examples = writeExamples(work, scratch, published, report, note);
    await step(
      "type-check entry points and README examples (node16, bundler; skipLibCheck false; no ioredis)",
      async () => {
        if ((await run("test", ["-e", join(scratch, "node_modules", "ioredis")])).code === 0)
          report("(install)", "ioredis got installed: it must stay an optional peer nobody pulls in");
        await typecheckProject(
          root,
          scratch,
          published,
          { include: ["examples/*.ts"], label: "types", locateOther: exampleLocator(examples) },
          report,
        );
        const loaded = await run(process.execPath, [join(scratch, "out", "entries.js")], { cwd: scratch });
        if (loaded.code !== 0)
          report("(entries)", `importing every entry point in Node failed:\n${tail(loaded.output)}`);
        else note(loaded.output.trim());
      },
    );
    const svc = await services();
    if (examples.some(needsPostgres))
      note(`PostgreSQL at ${databaseUrl}: ${svc.postgres.up ? "up" : "not answering"}`);
    schemas = await step("README examples", () =>
      runExamples(root, work, scratch, examples, { databaseUrl, postgres: svc.postgres }, report, note),
    );
    schemas.push(
      ...(await step(
        "role sync from four packages (standalone project; the worker's bin on plain node)",
        () => checkStandalone(work, scratch, packable, svc),
      )),
    );
    await step("login from oauth-state + discord-rest + store-sqlite in Express 5 (project of its own)", () =>
      checkLogin(root, work, packable, report, note),
    );
    await step("ioredis majors of the optional peer range", () =>
      checkRedisPeer(root, scratch, packable, { redisUrl, redis: svc.redis }, report, note),
    );
  } finally {
    if (scratch && schemas.length) {
      const dropped = await dropSchemas(scratch, databaseUrl, schemas);
      if (dropped.code !== 0) console.error(`could not drop the examples' schemas:\n${tail(dropped.output)}`);
    }
    if (keep) console.log(`kept ${work}`);
    else rmSync(work, { recursive: true, force: true });
  }
}

await main();
console.log(`check:packages: ${problems.length} problem(s) in ${seconds(started)}`);
process.exit(problems.length ? 1 : 0);
