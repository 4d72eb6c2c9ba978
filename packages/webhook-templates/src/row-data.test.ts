import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseRowJson, renderValue, stringifyRowJson } from "./row-data";

describe("parseRowJson", () => {
  it("keeps integers beyond 2^53 exact", () => {
    const row = parseRowJson(
      '{"id": 80351110224678912, "small": 5, "neg": -9007199254740993, "f": 1.5e300, "s": "99999999999999999"}',
    );
    expect(row).toEqual({
      id: 80351110224678912n,
      small: 5,
      neg: -9007199254740993n,
      f: 1.5e300,
      s: "99999999999999999",
    });
  });

  it("parses nested JSON and escapes", () => {
    expect(
      parseRowJson('{"a":[1,{"b":"\\"q\\" \\u00e9"}],"c":true,"d":null, "e" : 12345678901234567890}'),
    ).toEqual({
      a: [1, { b: '"q" é' }],
      c: true,
      d: null,
      e: 12345678901234567890n,
    });
  });

  it("returns null for null and refuses what is not an object", () => {
    expect(parseRowJson(null)).toBeNull();
    expect(() => parseRowJson("[1]")).toThrow(SyntaxError);
    expect(() => parseRowJson('{"a": 12345678901234567890')).toThrow(SyntaxError);
  });

  it("agrees with JSON.parse on anything without big integers", () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.jsonValue()), (obj) => {
        const text = JSON.stringify(obj);
        fc.pre(!/[0-9]{16}/.test(text));
        const padded = `${text.slice(0, -1)}${text.length > 2 ? "," : ""}"pad":"1234567890123456"}`;
        expect(parseRowJson(padded)).toEqual(JSON.parse(padded));
      }),
      { numRuns: 300 },
    );
  });

  it("round-trips through stringifyRowJson", () => {
    const row = { id: 80351110224678912n, n: [1n << 70n], s: "x" };
    expect(parseRowJson(stringifyRowJson(row))).toEqual(row);
  });
});

describe("renderValue", () => {
  it("renders each kind of value", () => {
    expect(renderValue(null)).toBe("");
    expect(renderValue(undefined)).toBe("");
    expect(renderValue("a")).toBe("a");
    expect(renderValue(1.5)).toBe("1.5");
    expect(renderValue(80351110224678912n)).toBe("80351110224678912");
    expect(renderValue(true)).toBe("true");
    expect(renderValue({ a: 1n })).toBe('{"a":1}');
    expect(renderValue(new Date("2024-01-02T03:04:05Z"))).toBe("2024-01-02T03:04:05.000Z");
  });
});
