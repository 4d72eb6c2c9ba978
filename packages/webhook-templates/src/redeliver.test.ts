import { describe, expect, it } from "vitest";
import { RedeliverRangeError } from "./errors";
import { parseRedeliverRange, parseRedeliverTime } from "./redeliver";

describe("the range of a redelivery request", () => {
  it("reads ISO 8601 times or Dates, since alone or since with a later until; neither is no range", () => {
    expect(parseRedeliverTime("2026-12-01T14:00Z")?.toISOString()).toBe("2026-12-01T14:00:00.000Z");
    for (const bad of ["yesterday", "2026-13-40", "1700000000", 1700000000, null])
      expect(parseRedeliverTime(bad)).toBeNull();
    expect(parseRedeliverRange({})).toBeNull();
    expect(parseRedeliverRange({ since: "2026-12-01" })).toEqual({ since: new Date("2026-12-01T00:00:00Z") });
    expect(parseRedeliverRange({ since: new Date(0), until: "1970-01-02" })).toEqual({
      since: new Date(0),
      until: new Date("1970-01-02T00:00:00Z"),
    });
  });

  it("refuses a bad time, an until without since and an empty range, naming the parameter", () => {
    for (const [input, reason, parameter] of [
      [{ since: "soon" }, "invalid_since", "since"],
      [{ since: "2026-12-01", until: 5 }, "invalid_until", "until"],
      [{ until: "2026-12-01" }, "until_without_since", "until"],
      [{ since: "2026-12-02", until: "2026-12-01" }, "empty_range", "until"],
    ] as const) {
      const error = (() => {
        try {
          parseRedeliverRange(input);
        } catch (e) {
          return e;
        }
      })();
      expect(error).toBeInstanceOf(RedeliverRangeError);
      expect(error).toMatchObject({ code: "invalid_range", reason, parameter });
    }
  });
});
