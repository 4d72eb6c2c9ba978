// Which part of a package README `pnpm check:packages` runs (DEVELOPERS.md, "README examples").
//
// The runnable example is the first ```ts block under the `## Usage` heading (up to the next `## `
// heading). A README whose package has nothing to run says so instead, anywhere in the file:
// `<!-- readme-example: none — <why> -->`. Every README also says, in one line, that the package is
// ESM-only.

const USAGE = /^## Usage\s*$/;
const NEXT_SECTION = /^## /;
const FENCE = /^(\s*)(`{3,}|~{3,})\s*([\w-]*)/;
const NONE = /<!--\s*readme-example:\s*none\b\s*[—–:-]?\s*(.*?)\s*-->/;
const ESM_ONLY = /\bESM[- ]only\b/i;

/**
 * The README's runnable example.
 * @returns `{ code, line }` (1-based line of the code's first line), `{ none: reason }`, or
 *   `{ problem }` saying what the README lacks
 */
export function readmeExample(markdown) {
  const none = NONE.exec(markdown);
  if (none) return { none: none[1] || "(no reason given)" };
  const lines = markdown.split(/\r?\n/);
  const start = lines.findIndex((line) => USAGE.test(line));
  if (start < 0)
    return {
      problem:
        "no `## Usage` section: add one whose first ```ts block runs as is (or mark `<!-- readme-example: none — why -->`)",
    };
  let fence = null;
  let body = null;
  for (let i = start + 1; i < lines.length; i++) {
    const line = lines[i];
    if (fence === null) {
      if (NEXT_SECTION.test(line)) break;
      const open = FENCE.exec(line);
      if (!open) continue;
      if (open[3] === "ts" || open[3] === "typescript") {
        fence = open[2];
        body = { from: i + 1, lines: [] };
      } else {
        // another language's block: skip to its closing fence
        const close = open[2];
        while (++i < lines.length && !lines[i].trim().startsWith(close));
      }
      continue;
    }
    if (line.trim().startsWith(fence) && line.trim().replace(/[`~]/g, "") === "") {
      return { code: `${body.lines.join("\n")}\n`, line: body.from + 1 };
    }
    body.lines.push(line);
  }
  if (fence !== null) return { problem: "the ```ts block under `## Usage` is not closed" };
  return { problem: "no ```ts block under `## Usage`: the first one there is the example CI runs" };
}

/** Whether the README says the package is ESM-only (one line is enough). */
export function saysEsmOnly(markdown) {
  return ESM_ONLY.test(markdown);
}
