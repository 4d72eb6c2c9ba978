// Building, packing and linting the packable packages for `pnpm check:packages`.
import { mkdirSync, readdirSync, readFileSync, statSync } from "node:fs";
import { builtinModules } from "node:module";
import { join, relative } from "node:path";
import { entrySpecifiers, sourceManifestProblems, tarballProblems, undeclaredImports } from "./packaging.mjs";
import { pool, run, tail } from "./proc.mjs";
import { slug } from "./workspace.mjs";

/**
 * Builds every package with pnpm, 2 at a time, in any order (each build reads its workspace
 * dependencies' sources, not their dist/), with no build cache.
 */
export async function buildAll(root, packages, report) {
  const filters = packages.flatMap((p) => ["--filter", p.name]);
  const result = await run(
    "pnpm",
    ["-r", "--no-sort", "--workspace-concurrency=2", ...filters, "run", "build"],
    {
      cwd: root,
    },
  );
  if (result.code !== 0) report("(build)", `pnpm run build failed:\n${tail(result.output, 60)}`);
  return result.code === 0;
}

/** Every file below `dir`, as paths relative to it with `/` separators. */
function listFiles(dir) {
  const out = [];
  const walk = (sub) => {
    for (const entry of readdirSync(join(dir, sub), { withFileTypes: true })) {
      const path = sub ? `${sub}/${entry.name}` : entry.name;
      if (entry.isDirectory()) walk(path);
      else out.push(path);
    }
  };
  walk("");
  return new Set(out);
}

/**
 * Packs `pkg` with `pnpm pack` into `work/tarballs`, unpacks it into `work/unpacked/<slug>` and
 * checks what the tarball holds. Adds `{ tarball, packed, files, entries }` to `pkg`.
 */
export async function packOne(root, work, pkg, report) {
  for (const problem of sourceManifestProblems(pkg.manifest)) report(pkg.name, `package.json: ${problem}`);
  const destination = join(work, "tarballs");
  mkdirSync(destination, { recursive: true });
  const tarball = `${slug(pkg.name)}-${pkg.manifest.version}.tgz`;
  const packed = await run("pnpm", ["pack", "--pack-destination", destination], { cwd: pkg.dir });
  if (packed.code !== 0 || !statSync(join(destination, tarball), { throwIfNoEntry: false })) {
    report(pkg.name, `pnpm pack failed:\n${tail(packed.output)}`);
    return false;
  }
  pkg.tarball = join(destination, tarball);
  const unpacked = join(work, "unpacked", slug(pkg.name));
  mkdirSync(unpacked, { recursive: true });
  const untar = await run("tar", ["-xzf", pkg.tarball, "-C", unpacked]);
  if (untar.code !== 0) {
    report(pkg.name, `tar could not unpack ${tarball}:\n${tail(untar.output)}`);
    return false;
  }
  const packageDir = join(unpacked, "package");
  pkg.files = listFiles(packageDir);
  pkg.packed = JSON.parse(readFileSync(join(packageDir, "package.json"), "utf8"));
  pkg.entries = entrySpecifiers(pkg.packed, pkg.files);
  const license = (path) => (statSync(path, { throwIfNoEntry: false }) ? readFileSync(path, "utf8") : null);
  const problems = tarballProblems({
    manifest: pkg.packed,
    files: pkg.files,
    licenseMatches: license(join(packageDir, "LICENSE")) === license(join(root, "LICENSE")),
    directory: pkg.directory,
  });
  const code = [...pkg.files].filter((f) => /\.(m?js|d\.m?ts)$/.test(f));
  const sources = code.map((f) => [f, readFileSync(join(packageDir, f), "utf8")]);
  problems.push(...undeclaredImports(pkg.packed, sources, new Set(builtinModules)));
  for (const problem of problems) report(pkg.name, `${tarball}: ${problem}`);
  return true;
}

/** publint (warnings are errors) and attw (ESM-only profile, no registry look-ups) on each tarball. */
export async function lintTarballs(root, packages, report) {
  const bin = (name) => join(root, "node_modules", ".bin", name);
  await pool(packages, 2, async (pkg) => {
    const rel = relative(root, pkg.tarball);
    const publint = await run(bin("publint"), ["run", pkg.tarball, "--strict", "--level", "suggestion"], {
      cwd: root,
    });
    if (publint.code !== 0 || /\b(Errors?|Warnings?|Suggestions?):/.test(publint.output))
      report(pkg.name, `publint ${rel}:\n${tail(publint.output)}`);
    const attw = await run(
      bin("attw"),
      [
        pkg.tarball,
        "--profile",
        "esm-only",
        "--no-definitely-typed",
        "--format",
        "ascii",
        "--no-emoji",
        "--no-color",
      ],
      { cwd: root, env: { ...process.env, FORCE_COLOR: "0" } },
    );
    if (attw.code !== 0) report(pkg.name, `attw ${rel}:\n${tail(attw.output)}`);
  });
}
