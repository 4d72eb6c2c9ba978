// The scratch project of `pnpm check:packages`: a folder outside the workspace where the tarballs
// are installed with plain `npm install` (no workspace links), type-checked and run.
import {
  copyFileSync,
  cpSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  realpathSync,
  writeFileSync,
} from "node:fs";
import { join } from "node:path";
import { run, tail } from "./proc.mjs";

const json = (path) => JSON.parse(readFileSync(path, "utf8"));
const write = (path, value) =>
  writeFileSync(path, typeof value === "string" ? value : `${JSON.stringify(value, null, 2)}\n`);

/**
 * The version of `dep` the workspace installed for the package in `dir` (its own
 * `node_modules/<dep>` link), with the folder it lives in; `null` when it has none.
 */
export function workspaceInstall(dir, dep) {
  const link = join(dir, "node_modules", dep);
  if (!existsSync(join(link, "package.json"))) return null;
  const folder = realpathSync(link);
  return { version: json(join(folder, "package.json")).version, folder };
}

/**
 * The required (non-optional) peers of the packed packages, each at the version the workspace
 * tests with. Optional peers are left out: the packages must install and type-check without them.
 */
function requiredPeers(packages) {
  const peers = new Map();
  for (const pkg of packages) {
    const optional = pkg.packed.peerDependenciesMeta ?? {};
    for (const dep of Object.keys(pkg.packed.peerDependencies ?? {})) {
      if (optional[dep]?.optional || peers.has(dep)) continue;
      const installed = workspaceInstall(pkg.dir, dep);
      if (installed) peers.set(dep, installed);
    }
  }
  return peers;
}

/**
 * A native module that `npm install --ignore-scripts` left unbuilt gets the build the workspace's
 * `pnpm install` made for the same version in this run; any other version is built from source.
 */
async function provideNativeBuilds(scratch, peers, report) {
  for (const [dep, installed] of peers) {
    const target = join(scratch, "node_modules", dep);
    if (!existsSync(join(target, "binding.gyp")) || existsSync(join(target, "build", "Release"))) continue;
    const version = json(join(target, "package.json")).version;
    const built = join(installed.folder, "build", "Release");
    if (version === installed.version && existsSync(built)) {
      cpSync(built, join(target, "build", "Release"), { recursive: true });
      continue;
    }
    const rebuilt = await run("npm", ["rebuild", dep], { cwd: scratch });
    if (rebuilt.code !== 0) report("(install)", `npm rebuild ${dep} failed:\n${tail(rebuilt.output)}`);
  }
}

/**
 * Creates `work/scratch` and installs every tarball into it, with @types/node and the required
 * peers at the workspace's versions, and `extra` specs (`express@5.1.0`). Returns the scratch
 * folder, or null when npm failed.
 */
export async function installScratch(root, work, packages, report, extra = []) {
  const scratch = join(work, "scratch");
  mkdirSync(scratch, { recursive: true });
  write(join(scratch, "package.json"), { name: "guildkit-packages-scratch", private: true, type: "module" });
  const peers = requiredPeers(packages);
  const typesNode = json(join(root, "node_modules", "@types", "node", "package.json")).version;
  const specs = [
    ...packages.map((p) => p.tarball),
    `@types/node@${typesNode}`,
    ...[...peers].map(([dep, { version }]) => `${dep}@${version}`),
    ...extra,
  ];
  const installed = await run(
    "npm",
    ["install", "--ignore-scripts", "--no-audit", "--no-fund", "--loglevel=error", ...specs],
    { cwd: scratch },
  );
  if (installed.code !== 0) {
    report("(install)", `npm install of the tarballs failed:\n${tail(installed.output)}`);
    return null;
  }
  await provideNativeBuilds(scratch, peers, report);
  return scratch;
}

/** The scratch project's tsconfig for one `moduleResolution` (`skipLibCheck: false` unless told). */
export function writeTsconfig(scratch, file, { resolution, include, emit, skipLibCheck = false }) {
  const module = resolution === "node16" ? "node16" : "esnext";
  write(join(scratch, file), {
    compilerOptions: {
      target: "ES2022",
      lib: ["ES2023"],
      module,
      moduleResolution: resolution,
      types: ["node"],
      strict: true,
      skipLibCheck,
      noEmit: !emit,
      ...(emit ? { outDir: "out", rootDir: "." } : {}),
    },
    include,
  });
}

/**
 * Runs the workspace's tsc on a scratch tsconfig; every error line is reported against the package
 * its file belongs to (`locate(file, line)` → `{ name, where }`, or null for "(types)"). Errors in a
 * file `foreign.test(file)` matches — a third-party package's own declarations, which guildkit cannot
 * fix — are passed to `foreign.note` instead and do not fail the check. Resolves whether it passed.
 */
export async function typecheck(root, scratch, file, label, locate, report, foreign = null) {
  const tsc = join(root, "node_modules", "typescript", "bin", "tsc");
  const result = await run(process.execPath, [tsc, "-p", file, "--pretty", "false"], { cwd: scratch });
  if (result.code === 0) return true;
  const all = result.output.split("\n").filter((line) => /error TS\d+/.test(line));
  const isForeign = (line) => foreign?.test(/^(.+?)\(\d+,\d+\)/.exec(line)?.[1] ?? "") === true;
  for (const error of all.filter(isForeign)) foreign.note(`${label}: not guildkit's: ${error}`);
  const errors = all.filter((line) => !isForeign(line));
  if (all.length && !errors.length) return true;
  if (!errors.length) report("(types)", `tsc -p ${file} failed:\n${tail(result.output)}`);
  for (const error of errors) {
    const at = /^(.+?)\((\d+),\d+\): (.*)$/.exec(error);
    const place = at ? locate(at[1], Number(at[2])) : null;
    report(place?.name ?? "(types)", `${label}: ${place?.where ?? at?.[1] ?? ""} ${at?.[3] ?? error}`.trim());
  }
  return false;
}

/**
 * Type-checks `entries.ts` (an import of each entry point of `packages`) and the `include`d files
 * with `moduleResolution` node16 (emitting `out/`, which is what runs) and again bundler, `strict`,
 * `skipLibCheck: false`. An error in a package's `.d.ts` is reported against that package, one in
 * another file through `locateOther(file, line)`. Resolves whether both passed.
 */
export async function typecheckProject(root, scratch, packages, { include, label, locateOther }, report) {
  const owners = writeEntries(scratch, packages);
  const byFile = new Map(packages.map((p) => [`node_modules/${p.name}/`, p.name]));
  const locate = (file, line) => {
    if (file === "entries.ts") return owners.get(line) ?? null;
    const owner = [...byFile].find(([prefix]) => file.includes(prefix));
    if (owner) return { name: owner[1], where: `${file.slice(file.indexOf(owner[0]))}:${line}` };
    return locateOther(file, line);
  };
  const files = ["entries.ts", ...include];
  writeTsconfig(scratch, "tsconfig.node16.json", { resolution: "node16", include: files, emit: true });
  writeTsconfig(scratch, "tsconfig.bundler.json", { resolution: "bundler", include: files, emit: false });
  const node16 = await typecheck(root, scratch, "tsconfig.node16.json", `${label} (node16)`, locate, report);
  const bundler = await typecheck(
    root,
    scratch,
    "tsconfig.bundler.json",
    `${label} (bundler)`,
    locate,
    report,
  );
  return node16 && bundler;
}

/** Writes `entries.ts`: one namespace import per public entry point. Returns line → package name. */
export function writeEntries(scratch, packages) {
  const lines = [];
  const owners = new Map();
  for (const pkg of packages) {
    for (const specifier of pkg.entries) {
      lines.push(`import * as entry${lines.length} from "${specifier}";`);
      owners.set(lines.length, { name: pkg.name, where: `import "${specifier}":` });
    }
  }
  lines.push(`const entries = [${lines.map((_, i) => `entry${i}`).join(", ")}];`);
  lines.push('console.log(entries.length, "entry points load in Node");');
  write(join(scratch, "entries.ts"), `${lines.join("\n")}\n`);
  return owners;
}

/** Copies the repository's fixture `file` (scripts/check-packages/) into `scratch/peers/`. */
export function copyFixture(root, scratch, file) {
  mkdirSync(join(scratch, "peers"), { recursive: true });
  copyFileSync(join(root, "scripts", "check-packages", file), join(scratch, "peers", file));
}

/** Names of the folders directly in `dir` (an empty list when it does not exist). */
export const folders = (dir) => (existsSync(dir) ? readdirSync(dir) : []);
