// The workspace's packages, and which of them `pnpm check:packages` packs.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

/** The folder globs of pnpm-workspace.yaml (`packages/*` style entries). */
function workspaceGlobs(root) {
  const yaml = readFileSync(join(root, "pnpm-workspace.yaml"), "utf8");
  const globs = [];
  let inPackages = false;
  for (const line of yaml.split("\n")) {
    if (/^\S/.test(line)) inPackages = /^packages:/.test(line);
    else if (inPackages) {
      const entry = /^\s+-\s+["']?([^"'#\s]+)/.exec(line);
      if (entry) globs.push(entry[1]);
    }
  }
  return globs;
}

/**
 * Every workspace package, with the rule that decides what is packed:
 * - `published`: its package.json is not `private` — everything the release publishes;
 * - `standIn`: private, but set up for packing (it has the `prepack` guard) — packed and
 *   installed only so that README examples can use it (`@guildkit/discord-sim` while private).
 * @returns `{ name, dir, directory, manifest, published, standIn }` sorted by directory
 */
export function workspacePackages(root, prepack) {
  const found = [];
  for (const glob of workspaceGlobs(root)) {
    const [group, star] = glob.split("/");
    const folders = star === "*" ? readdirSync(join(root, group)).map((name) => join(group, name)) : [glob];
    for (const directory of folders) {
      const file = join(root, directory, "package.json");
      if (!existsSync(file)) continue;
      const manifest = JSON.parse(readFileSync(file, "utf8"));
      const published = manifest.private !== true;
      const standIn = !published && manifest.scripts?.prepack === prepack;
      found.push({
        name: manifest.name,
        dir: join(root, directory),
        directory,
        manifest,
        published,
        standIn,
      });
    }
  }
  return found.sort((a, b) => a.directory.localeCompare(b.directory));
}

/** `@guildkit/core` → `guildkit-core` (pnpm's tarball and a safe file name). */
export const slug = (name) => name.replace(/^@/, "").replace(/\//g, "-");

/**
 * `names` and the @guildkit packages they need (dependencies, required peers — never optional
 * peers), read from the packed manifests: what `npm install` of those tarballs pulls in.
 */
export function withDependencies(packable, names) {
  const byName = new Map(packable.map((p) => [p.name, p]));
  const chosen = new Map();
  for (const wanted = [...names]; wanted.length; ) {
    const pkg = byName.get(wanted.pop());
    if (!pkg || chosen.has(pkg.name)) continue;
    chosen.set(pkg.name, pkg);
    const optional = pkg.packed.peerDependenciesMeta ?? {};
    const peers = Object.keys(pkg.packed.peerDependencies ?? {}).filter((d) => !optional[d]?.optional);
    wanted.push(
      ...[...Object.keys(pkg.packed.dependencies ?? {}), ...peers].filter((d) => d.startsWith("@guildkit/")),
    );
  }
  return [...chosen.values()];
}
