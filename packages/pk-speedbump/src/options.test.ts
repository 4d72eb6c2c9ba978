import { describe, expect, it } from "vitest";
import { SpeedbumpConfigError } from "./errors";
import { resolveSpeedbumpOptions } from "./options";

describe("resolveSpeedbumpOptions", () => {
  it("defaults: 4 s delay, 2 h refresh, PluralKit's application id, only known proxy users held, 1.5 s lookup deadline", () => {
    expect(resolveSpeedbumpOptions()).toMatchObject({
      delayMs: 4_000,
      refreshIntervalMs: 7_200_000,
      proxyApplicationIds: ["466378653216014359"],
      holdAllUsers: false,
      holdCommandPrefixes: ["pk;", "pk!"],
      lookupTimeoutMs: 1_500,
      identity: {},
    });
  });

  it("names the bad option", () => {
    expect(() => resolveSpeedbumpOptions({ delayMs: -1 })).toThrow(SpeedbumpConfigError);
    try {
      resolveSpeedbumpOptions({ proxyApplicationIds: ["pluralkit"] });
    } catch (error) {
      expect(error).toMatchObject({
        name: "SpeedbumpConfigError",
        code: "invalid_option",
        option: "proxyApplicationIds.0",
      });
    }
    expect(() => resolveSpeedbumpOptions({ identity: { handlePrefix: "" } })).toThrow(
      /identity.handlePrefix/,
    );
  });
});
