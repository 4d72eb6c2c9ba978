import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, expect, it, vi } from "vitest";

const here = fileURLToPath(new URL(".", import.meta.url));
const readme = readFileSync(join(here, "../README.md"), "utf8");
const source = join(here, "../src/index.ts");
const dir = mkdtempSync(join(tmpdir(), "oauth-state-readme-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The first ```ts block after `heading`, importing this package's sources. */
function example(heading: string): string {
  const section = readme.slice(readme.indexOf(heading));
  const code = /```ts\n([\s\S]*?)```/.exec(section)?.[1] ?? "";
  return code.replaceAll('from "@guildkit/oauth-state"', `from ${JSON.stringify(source)}`);
}

/** Runs an example and returns what it printed, one string per `console.log`. */
async function run(name: string, code: string): Promise<string[]> {
  const file = join(dir, `${name}.ts`);
  writeFileSync(file, `${code}\nexport {};\n`);
  const printed: string[] = [];
  const log = vi.spyOn(console, "log").mockImplementation((...args: unknown[]) => {
    printed.push(args.map((a) => (typeof a === "string" ? a : JSON.stringify(a))).join(" "));
  });
  try {
    await import(file);
  } finally {
    log.mockRestore();
  }
  return printed;
}

it("the README usage example signs a member in", async () => {
  const printed = await run("usage", example("## Usage"));
  expect(printed.at(-1)).toBe('signed_in {"memberId":"1","redirect":"/dashboard"}');
});

it("the README sessions example signs in, reads the session and signs out for real", async () => {
  const printed = await run("sessions", example("## Sessions"));
  expect(printed[0]).toMatch(
    /^__Host-gk_session=[A-Za-z0-9_-]{43}; Path=\/; Max-Age=604800; HttpOnly; SameSite=Lax; Secure$/,
  );
  expect(printed.slice(1)).toEqual(["42", "null"]);
});
