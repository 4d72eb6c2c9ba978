import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { stringifyRowJsonHead } from "./bounded-json";
import { renderValue, stringifyRowJson } from "./row-data";

const rowValue = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: "small" },
    fc.constantFrom(null, true, false, undefined, Number.NaN, -0, Number.POSITIVE_INFINITY),
    fc.double(),
    fc.bigInt({ min: -(2n ** 70n), max: 2n ** 70n }),
    fc.string({ unit: "grapheme" }),
    fc.string({ unit: "binary" }),
    fc.date({ noInvalidDate: true }),
    fc.array(tie("value"), { maxLength: 5 }),
    fc.dictionary(fc.string({ unit: "grapheme-composite", maxLength: 6 }), tie("value"), { maxKeys: 5 }),
  ),
})).value;

describe("stringifyRowJsonHead", () => {
  it("is exactly the first maxLength characters of stringifyRowJson, for any JSON-shaped value", () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.array(rowValue), fc.dictionary(fc.string(), rowValue)),
        fc.nat(400),
        (value, n) => {
          expect(stringifyRowJsonHead(value, n)).toBe(stringifyRowJson(value).slice(0, n));
        },
      ),
      { numRuns: 500 },
    );
  });

  it("reads only as much of a huge JSON value as it writes", () => {
    let reads = 0;
    const wide = new Proxy(Object.fromEntries(Array.from({ length: 100_000 }, (_, i) => [`k${i}`, i])), {
      get(target, key, receiver) {
        reads++;
        return Reflect.get(target, key, receiver);
      },
    });
    const head = stringifyRowJsonHead({ wide }, 100);
    expect(head).toHaveLength(100);
    // "toJSON" is looked up once per object visited, each value once: a dozen, not 100,000.
    expect(reads).toBeLessThan(50);
  });

  it("serialises a value nested 200,000 levels deep without overflowing the stack", () => {
    let deep: unknown = 1;
    for (let i = 0; i < 200_000; i++) deep = [deep];
    expect(() => JSON.stringify(deep)).toThrow(RangeError);
    expect(stringifyRowJsonHead(deep, 10)).toBe("[[[[[[[[[[");
    expect(renderValue({ deep }, 12)).toBe('{"deep":[[[[');
  });

  it("cuts a 5 MB string value without escaping all of it", () => {
    const huge = `"${"x".repeat(5_000_000)}`;
    expect(stringifyRowJsonHead({ huge }, 12)).toBe('{"huge":"\\"x');
    expect(renderValue(huge, 3)).toBe('"xx');
    expect(renderValue({ a: 1 })).toBe('{"a":1}');
  });
});
