import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { evaluateWhen, likeMatches } from "./evaluate";
import { parseWhen } from "./parser";

const row = {
  old: { n: 1, s: "abc", b: false, nil: null, big: 80351110224678912n },
  new: { n: 2, s: "Abd", b: true, nil: null, big: 80351110224678913n, json: { k: 1 } },
};
const ev = (source: string) => evaluateWhen(parseWhen(source), row);

describe("evaluateWhen", () => {
  const cases: [string, boolean | null][] = [
    ["NEW.n = 2", true],
    ["NEW.n > OLD.n", true],
    ["NEW.n = '2'", true],
    ["NEW.n = '2.0'", true],
    ["NEW.n < 'x'", true],
    ["NEW.s < OLD.s", true],
    ["NEW.s = 'abd'", false],
    ["NEW.b = TRUE", true],
    ["OLD.b = FALSE", true],
    ["NEW.nil = 1", null],
    ["NOT NEW.nil = 1", null],
    ["NEW.nil = 1 AND NEW.n = 3", false],
    ["NEW.nil = 1 AND NEW.n = 2", null],
    ["NEW.nil = 1 OR NEW.n = 2", true],
    ["NEW.nil = 1 OR NEW.n = 3", null],
    ["NEW.nil IS NULL", true],
    ["NEW.n IS NOT NULL", true],
    ["NEW.missing IS NULL", true],
    ["NEW.nil IS DISTINCT FROM OLD.nil", false],
    ["NEW.nil IS DISTINCT FROM 1", true],
    ["NEW.n IS DISTINCT FROM 2", false],
    ["NEW.n IS NOT DISTINCT FROM 2", true],
    ["NEW.n IN (1, 2)", true],
    ["NEW.n IN (1, NULL)", null],
    ["NEW.n NOT IN (1, NULL)", null],
    ["NEW.n NOT IN (1, 3)", true],
    ["NEW.nil IN (1)", null],
    ["NEW.s LIKE 'a%'", true],
    ["NEW.s LIKE '_BD'", true],
    ["NEW.s NOT LIKE 'ab'", true],
    ["NEW.nil LIKE '%'", null],
    ["NEW.n LIKE '2'", true],
    ["NEW.big > OLD.big", true],
    ["NEW.big = 80351110224678913", true],
    ["NEW.big = 80351110224678912", false],
    ["NEW.big > 1.5", true],
    ["NEW.json = '{\"k\":1}'", true],
  ];
  it.each(cases)("%s → %s", (source, expected) => {
    expect(ev(source)).toBe(expected);
  });
});

describe("likeMatches", () => {
  it("folds ASCII case only, and honours \\ escapes", () => {
    expect(likeMatches("HELLO", "hello")).toBe(true);
    expect(likeMatches("É", "é")).toBe(false);
    expect(likeMatches("50%", "50\\%")).toBe(true);
    expect(likeMatches("50x", "50\\%")).toBe(false);
    expect(likeMatches("a_b", "a\\_b")).toBe(true);
    expect(likeMatches("axb", "a\\_b")).toBe(false);
    expect(likeMatches("👍", "_")).toBe(true);
    expect(likeMatches("line\nbreak", "line%")).toBe(true);
    expect(likeMatches("a.b", "a.b")).toBe(true);
    expect(likeMatches("axb", "a.b")).toBe(false);
    expect(likeMatches("(x)", "(%)")).toBe(true);
  });

  it("matches as a LIKE regular expression would, for any value and pattern", () => {
    const reference = (value: string, pattern: string) => {
      const chars = Array.from(pattern.replace(/[A-Z]/g, (c) => c.toLowerCase()));
      let source = "";
      for (let i = 0; i < chars.length; i++) {
        const c = chars[i] as string;
        if (c === "\\" && i + 1 < chars.length)
          source += `\\u{${(chars[++i] as string).codePointAt(0)?.toString(16)}}`;
        else if (c === "%") source += "[\\s\\S]*";
        else if (c === "_") source += "[\\s\\S]";
        else source += `\\u{${c.codePointAt(0)?.toString(16)}}`;
      }
      return new RegExp(`^${source}$`, "u").test(value.replace(/[A-Z]/g, (c) => c.toLowerCase()));
    };
    const text = fc.string({
      unit: fc.constantFrom("a", "B", "b", "%", "_", "\\", "👍", "é"),
      maxLength: 12,
    });
    fc.assert(
      fc.property(text, text, (value, pattern) => {
        expect(likeMatches(value, pattern)).toBe(reference(value, pattern));
      }),
      { numRuns: 2000 },
    );
  });

  it("takes work linear in the value for patterns that backtrack a regular expression exponentially", () => {
    // A backtracking matcher needs ~n^3 steps here (25 s at n = 500); this one a few times n.
    expect(likeMatches("a".repeat(200_000), "%a%a%a%b")).toBe(false);
    expect(likeMatches(`${"a".repeat(200_000)}b`, "%a%a%a%b")).toBe(true);
  });
});
