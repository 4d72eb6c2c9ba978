import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { classifyRowId, MAX_ROW_ID, parseRowId, RowIdError, toRowId } from "./row-id";

describe("row ids", () => {
  it("accepts 1 through 2^63 - 1 as decimal text, leading zeros dropped", () => {
    expect(toRowId("1")).toBe("1");
    expect(toRowId("0007")).toBe("7");
    expect(toRowId("9223372036854775807")).toBe("9223372036854775807");
    expect(toRowId(`000${MAX_ROW_ID}`)).toBe(String(MAX_ROW_ID));
    expect(toRowId(42)).toBe("42");
  });

  it("calls 0, 2^63 and anything longer out of range, and non-digits not an id", () => {
    for (const value of ["0", "000", "9223372036854775808", "18446744073709551616", "9".repeat(40)]) {
      expect(classifyRowId(value), value).toEqual({ reason: "out_of_range" });
    }
    expect(classifyRowId(0)).toEqual({ reason: "out_of_range" });
    expect(classifyRowId(2 ** 63)).toEqual({ reason: "out_of_range" });
    for (const value of ["", "-1", "+1", "1.5", " 1", "1 ", "1e3", "0x10", "١", null, undefined, 1.5, {}]) {
      expect(classifyRowId(value), String(value)).toEqual({ reason: "not_an_id" });
    }
  });

  it("parseRowId throws a RowIdError naming the parameter, without repeating the value", () => {
    const value = "9".repeat(1000);
    const error = (() => {
      try {
        parseRowId(value, { parameter: "webhookId" });
      } catch (e) {
        return e;
      }
    })() as RowIdError;
    expect(error).toBeInstanceOf(RowIdError);
    expect(error).toMatchObject({
      name: "RowIdError",
      code: "invalid_id",
      parameter: "webhookId",
      reason: "out_of_range",
    });
    expect(error.message).toContain("webhookId");
    expect(error.message).not.toContain("9999999999999999999999");
  });

  it("agrees with BigInt arithmetic on any digit string", () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[0-9]{1,45}$/), (digits) => {
        const n = BigInt(digits);
        const expected = n >= 1n && n <= MAX_ROW_ID ? { id: n.toString() } : { reason: "out_of_range" };
        expect(classifyRowId(digits)).toEqual(expected);
      }),
    );
  });
});
