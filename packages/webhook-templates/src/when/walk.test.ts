import { describe, expect, it } from "vitest";
import type { Operand } from "./ast";
import { parseWhen } from "./parser";
import { printWhen } from "./print";
import { mapOperands, mapPredicates } from "./walk";

describe("the WHEN walker", () => {
  const expr = parseWhen("NOT (NEW.a = 1 OR NEW.b IS NULL) AND NEW.c IN (NEW.d, 'x') AND NEW.e LIKE 'y%'");

  it("visits every predicate once, in reading order, and keeps AND, OR and NOT", () => {
    const seen: string[] = [];
    const same = mapPredicates(expr, (p) => {
      seen.push(p.kind);
      return p;
    });
    expect(seen).toEqual(["compare", "is_null", "in", "like"]);
    expect(printWhen(same)).toBe(printWhen(expr));
  });

  it("rewrites operands in reading order without touching the input tree", () => {
    const order: string[] = [];
    const toOld = (o: Operand): Operand => {
      if (o.kind !== "column") return o;
      order.push(o.name);
      return { ...o, row: "OLD" };
    };
    const rewritten = mapPredicates(expr, (p) => mapOperands(p, toOld));
    expect(order).toEqual(["a", "b", "c", "d", "e"]);
    expect(printWhen(rewritten)).toBe(printWhen(expr).replaceAll("NEW.", "OLD."));
    expect(printWhen(expr)).toContain("NEW.a");
  });
});
