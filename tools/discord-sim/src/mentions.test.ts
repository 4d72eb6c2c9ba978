import { describe, expect, it } from "vitest";
import { resolveMentions } from "./mentions";

const content = "<@1> <@!2> <@&3> @here";

describe("resolveMentions", () => {
  it("parses only user mentions by default (the webhook default)", () => {
    expect(resolveMentions(content, undefined)).toEqual({ users: ["1", "2"], roles: [], everyone: false });
  });

  it("parses nothing for parse: []", () => {
    expect(resolveMentions(content, { parse: [] })).toEqual({ users: [], roles: [], everyone: false });
  });

  it("pings @everyone/@here only with everyone in parse", () => {
    expect(resolveMentions(content, { parse: ["everyone"] }).everyone).toBe(true);
    expect(resolveMentions("no ping", { parse: ["everyone"] }).everyone).toBe(false);
  });

  it("pings listed ids only when they appear in the content", () => {
    expect(resolveMentions(content, { users: ["2", "9"], roles: ["3"] })).toEqual({
      users: ["2"],
      roles: ["3"],
      everyone: false,
    });
  });
});
