#!/usr/bin/env node
// Issue 11's "done when", checked: (1) no `setTimeout` / `setInterval` / `Date.now()` in package and
// app sources outside the one system clock/scheduler and the documented exceptions below; (2) no source
// file over 400 lines outside tests, fixtures and the simulator.
// `node scripts/check-seams.mjs` prints every finding and exits 1 when there is one; `--report` only
// prints. Part of `pnpm lint`.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";

const ROOT = new URL("..", import.meta.url).pathname;
const MAX_LINES = 400;

/**
 * Where real time is allowed, and why. Everything else takes a `Clock` and a `Scheduler`.
 * Keys are paths relative to the repository root.
 */
const TIME_EXCEPTIONS = {
  "packages/core/src/system.ts": "the one system clock and scheduler",
};

const isTest = (path) => /(\.test\.ts|\/test\/|\/fixtures\/|\.d\.ts$)/.test(path);

function* sources(dir) {
  for (const name of readdirSync(dir)) {
    if (name === "node_modules" || name === "dist") continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) yield* sources(path);
    else if (/\.(ts|tsx|mts)$/.test(name)) yield path;
  }
}

const roots = ["packages", "apps"].flatMap((top) =>
  readdirSync(join(ROOT, top))
    .map((name) => join(ROOT, top, name, "src"))
    .filter((dir) => {
      try {
        return statSync(dir).isDirectory();
      } catch {
        return false;
      }
    }),
);

const timeFindings = [];
const sizeFindings = [];
for (const root of roots) {
  for (const file of sources(root)) {
    const rel = relative(ROOT, file);
    if (isTest(rel)) continue;
    const text = readFileSync(file, "utf8");
    const lines = text.split("\n");
    if (lines.length > MAX_LINES) sizeFindings.push(`${rel}: ${lines.length} lines (max ${MAX_LINES})`);
    if (rel in TIME_EXCEPTIONS) continue;
    lines.forEach((line, i) => {
      const code = line.replace(/\/\/.*$/, "");
      if (/^\s*(\*|\/\*)/.test(line)) return; // doc comments
      if (/\bset(Timeout|Interval)\s*\(|\bDate\.now\s*\(/.test(code))
        timeFindings.push(`${rel}:${i + 1}: ${line.trim()}`);
    });
  }
}

const report = process.argv.includes("--report");
for (const f of timeFindings) console.log(`real time outside the system scheduler: ${f}`);
for (const f of sizeFindings) console.log(`file too long: ${f}`);
console.log(`check-seams: ${timeFindings.length} real-time uses, ${sizeFindings.length} long files`);
process.exit(!report && (timeFindings.length || sizeFindings.length) ? 1 : 0);
