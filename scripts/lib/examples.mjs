// README examples in the scratch project: extracted from each published README (as packed), compiled
// with the type-check, run with node, each in a folder and a PostgreSQL schema of its own.
import { randomBytes } from "node:crypto";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { pool, run, tail } from "./proc.mjs";
import { readmeExample, saysEsmOnly } from "./readme-example.mjs";
import { slug } from "./workspace.mjs";

/** How long one example may run: it must end by itself (close what it opens). */
export const EXAMPLE_TIMEOUT_MS = 60_000;

/**
 * Writes `examples/<slug>.ts` for each package whose packed README has a runnable example.
 * @returns `[{ pkg, file, line, code }]` (`line`: the README line of the code's first line)
 */
export function writeExamples(work, scratch, packages, report, note) {
  mkdirSync(join(scratch, "examples"), { recursive: true });
  const examples = [];
  for (const pkg of packages) {
    if (!pkg.files.has("README.md")) continue; // reported with the tarball
    const markdown = readFileSync(join(work, "unpacked", slug(pkg.name), "package", "README.md"), "utf8");
    if (!saysEsmOnly(markdown))
      report(pkg.name, 'README.md: say in one line that the package is ESM-only ("ESM-only")');
    const example = readmeExample(markdown);
    if (example.problem) report(pkg.name, `README.md: ${example.problem}`);
    if (example.none) note(`${pkg.name}: no README example (${example.none})`);
    if (!example.code) continue;
    const file = `examples/${slug(pkg.name)}.ts`;
    writeFileSync(join(scratch, file), example.code);
    examples.push({ pkg, file, line: example.line, code: example.code });
  }
  return examples;
}

/** Maps a compiler error in an example file back to its README line. */
export function exampleLocator(examples) {
  return (file, line) => {
    const example = examples.find((e) => file.endsWith(e.file));
    return example ? { name: example.pkg.name, where: `README.md:${example.line + line - 1}` } : null;
  };
}

/** Whether an example needs PostgreSQL (it uses the Postgres store or `DATABASE_URL`). */
export const needsPostgres = (example) => /@guildkit\/store-postgres|DATABASE_URL/.test(example.code);

/**
 * Runs each compiled example (`out/examples/<slug>.js`), allowed to connect only to this machine
 * (scripts/check-packages/local-only.mjs), with the environment DEVELOPERS.md lists:
 * `DATABASE_URL`, `DATABASE_SCHEMA` (fresh per example, dropped afterwards by the caller),
 * `GUILDKIT_SECRET_KEY` (fresh per run). Returns the schemas it handed out.
 */
export async function runExamples(root, work, scratch, examples, { databaseUrl, postgres }, report, note) {
  const secretKey = randomBytes(32).toString("base64");
  const runId = randomBytes(4).toString("hex");
  const schemas = [];
  await pool(examples, 2, async (example, i) => {
    const name = example.pkg.name;
    if (needsPostgres(example) && !postgres.up) {
      if (postgres.required)
        report(name, `README example needs PostgreSQL, which does not answer at ${databaseUrl}`);
      else
        note(
          `${name}: README example skipped, PostgreSQL does not answer (set DATABASE_URL; CI fails instead)`,
        );
      return;
    }
    const schema = `gk_pack_${runId}_${i}`;
    schemas.push(schema);
    const cwd = join(work, "run", slug(name));
    mkdirSync(cwd, { recursive: true });
    const env = {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      TMPDIR: process.env.TMPDIR ?? "/tmp",
      DATABASE_URL: databaseUrl,
      DATABASE_SCHEMA: schema,
      GUILDKIT_SECRET_KEY: secretKey,
    };
    const script = join(scratch, "out", example.file.replace(/\.ts$/, ".js"));
    const localOnly = pathToFileURL(join(root, "scripts", "check-packages", "local-only.mjs")).href;
    const result = await run(process.execPath, ["--import", localOnly, script], {
      cwd,
      env,
      timeoutMs: EXAMPLE_TIMEOUT_MS,
    });
    const where = `README.md:${example.line}`;
    if (result.timedOut)
      report(
        name,
        `README example (${where}) did not end within ${EXAMPLE_TIMEOUT_MS / 1000} s:\n${tail(result.output)}`,
      );
    else if (result.code !== 0)
      report(name, `README example (${where}) failed (exit ${result.code}):\n${tail(result.output)}`);
    else note(`${name}: README example ran (${(result.ms / 1000).toFixed(1)} s)`);
  });
  return schemas;
}
