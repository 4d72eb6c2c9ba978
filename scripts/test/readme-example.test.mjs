import { describe, expect, it } from "vitest";
import { readmeExample, saysEsmOnly } from "../lib/readme-example.mjs";

const fence = "```";

describe("the README example CI runs", () => {
  it("is the first ts block under ## Usage, after blocks of other languages", () => {
    const md = [
      "# x",
      `${fence}ts`,
      "not this (above Usage)",
      fence,
      "## Usage",
      `${fence}sh`,
      "pnpm add x",
      fence,
      `${fence}ts`,
      'import { x } from "x";',
      "x();",
      fence,
      `${fence}ts`,
      "not this either",
      fence,
    ].join("\n");
    expect(readmeExample(md)).toEqual({ code: 'import { x } from "x";\nx();\n', line: 10 });
  });

  it("does not look past the Usage section", () => {
    const md = ["## Usage", "text only", "## API", `${fence}ts`, "x();", fence].join("\n");
    expect(readmeExample(md)).toEqual({ problem: expect.stringMatching(/no ```ts block under `## Usage`/) });
  });

  it("asks for a Usage section, or the marker that there is nothing to run", () => {
    expect(readmeExample("# x\n")).toEqual({ problem: expect.stringMatching(/no `## Usage` section/) });
    expect(readmeExample("# x\n<!-- readme-example: none — internal -->\n")).toEqual({ none: "internal" });
  });

  it("reports a ts block that is never closed", () => {
    expect(readmeExample(["## Usage", `${fence}ts`, "x();"].join("\n"))).toEqual({
      problem: expect.stringMatching(/not closed/),
    });
  });

  it("requires the one line saying the package is ESM-only", () => {
    expect(saysEsmOnly("ESM-only (no CommonJS build).")).toBe(true);
    expect(saysEsmOnly("Node 20.18 or later; ESM only.")).toBe(true);
    expect(saysEsmOnly("Works with require().")).toBe(false);
  });
});
