// The optional ioredis peer: every major its range names is installed in turn into the scratch
// project, type-checked against the packed types and run against Redis and discord-sim.
import { join } from "node:path";
import { run, tail } from "./proc.mjs";
import { copyFixture, typecheck, writeTsconfig } from "./scratch.mjs";

/** `^5.0.0 || ^6.0.0` → `[5, 6]` (the majors a caret/tilde/x range names). */
export function rangeMajors(range) {
  return range
    .split("||")
    .map((part) => /^\s*[\^~>=]*\s*v?(\d+)/.exec(part)?.[1])
    .filter(Boolean)
    .map(Number);
}

/**
 * For each package with an optional `ioredis` peer: for each major of its range, install that
 * ioredis, compile `scripts/check-packages/redis-peer.ts` with `skipLibCheck: false` and run it.
 */
export async function checkRedisPeer(root, scratch, packages, { redisUrl, redis }, report, note) {
  const users = packages.filter((p) => p.packed.peerDependencies?.ioredis);
  if (!users.length) return;
  const majors = [...new Set(users.flatMap((p) => rangeMajors(p.packed.peerDependencies.ioredis)))];
  for (const pkg of users) {
    if (!pkg.packed.peerDependenciesMeta?.ioredis?.optional)
      report(pkg.name, "ioredis must stay an optional peer (only the clustered limiter needs it)");
  }
  if (!redis.up) {
    if (redis.required) report("(ioredis)", `Redis does not answer at ${redisUrl}`);
    else
      note(`ioredis ${majors.join(", ")}: skipped, Redis does not answer at ${redisUrl} (CI fails instead)`);
    return;
  }
  copyFixture(root, scratch, "redis-peer.ts");
  writeTsconfig(scratch, "tsconfig.peers.json", {
    resolution: "node16",
    include: ["peers/*.ts"],
    emit: true,
  });
  for (const major of majors) {
    const label = `ioredis@${major}`;
    const installed = await run(
      "npm",
      [
        "install",
        "--no-save",
        "--ignore-scripts",
        "--no-audit",
        "--no-fund",
        "--loglevel=error",
        `ioredis@${major}`,
      ],
      { cwd: scratch },
    );
    if (installed.code !== 0) {
      report("(ioredis)", `npm install ${label} failed:\n${tail(installed.output)}`);
      continue;
    }
    // ioredis 6.1.0's own .d.ts import `redis-errors`, whose types it does not depend on (TS7016 with
    // skipLibCheck false in any project): noted, not counted — guildkit's types are what is checked.
    const own = { test: (file) => file.startsWith("node_modules/ioredis/"), note };
    const typed = await typecheck(root, scratch, "tsconfig.peers.json", label, () => null, report, own);
    if (!typed) continue;
    const ran = await run(process.execPath, [join(scratch, "out", "peers", "redis-peer.js")], {
      cwd: scratch,
      env: { PATH: process.env.PATH, HOME: process.env.HOME, REDIS_URL: redisUrl },
      timeoutMs: 60_000,
    });
    if (ran.code !== 0) report("(ioredis)", `${label}: the clustered limiter failed:\n${tail(ran.output)}`);
    else note(`${label}: ${ran.output.trim().split("\n").at(-1)}`);
  }
}
