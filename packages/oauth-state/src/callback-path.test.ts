import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { safeRedirectPath } from "./callback-path";

describe("safeRedirectPath", () => {
  it.each([
    ["/dashboard?x=1", "/dashboard?x=1"],
    ["/", "/"],
    ["/a/b#section", "/a/b#section"],
    ["/members/42/edit?tab=discord&x=%2F", "/members/42/edit?tab=discord&x=%2F"],
    ["/caf%C3%A9", "/caf%C3%A9"],
    ["/files/50%25off", "/files/50%25off"],
    ["/a/./b/../c", "/a/c"],
  ])("follows the same-origin relative path %j", (input, expected) => {
    expect(safeRedirectPath(input)).toBe(expected);
  });

  it.each([
    "//evil.test",
    "//evil.test/path",
    "///evil.test",
    "https://evil.test",
    "http://evil.test/dashboard",
    "HTTPS://evil.test",
    "/\\evil.test",
    "\\\\evil.test",
    "/\\/evil.test",
    "javascript:alert(1)",
    "JavaScript:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "dashboard",
    " /dashboard",
    "/\t/evil.test",
    "/\n/evil.test",
    "/\r\n/evil.test",
    "/dash\u0000board",
    "/%2F%2Fevil.test",
    "/%2f/evil.test",
    "/%5Cevil.test",
    "/%5cevil.test",
    "/%09/evil.test",
    "/%252F%252Fevil.test",
    "/%25252F%25252Fevil.test",
    "/%2525252F%2525252Fevil.test",
    "/a/..//evil.test",
    "/%2e%2e//evil.test",
    "/a/%2e%2e//evil.test",
    "",
    `/${"a".repeat(2048)}`,
  ])("refuses %j and falls back to /", (input) => {
    expect(safeRedirectPath(input)).toBe("/");
  });

  it.each([null, undefined, 42, {}, ["/x"]])("falls back to / for the non-string %j", (input) => {
    expect(safeRedirectPath(input)).toBe("/");
  });

  it("never returns anything a browser would resolve to another origin", () => {
    const base = "https://app.test";
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string(),
          fc.string().map((s) => `/${s}`),
          fc.string().map((s) => `//${s}`),
          fc
            .array(
              fc.constantFrom(
                "/",
                "\\",
                "%2F",
                "%5C",
                "%25",
                "%2e",
                ".",
                "evil.test",
                "\t",
                ":",
                "@",
                "?",
                "#",
              ),
            )
            .map((parts) => parts.join("")),
        ),
        (input) => {
          const out = safeRedirectPath(input);
          expect(out.startsWith("/")).toBe(true);
          expect(out.startsWith("//")).toBe(false);
          expect(new URL(out, base).origin).toBe(base);
          // Idempotent: a followed path is followed again unchanged.
          expect(safeRedirectPath(out)).toBe(out);
        },
      ),
      { numRuns: 2000 },
    );
  });
});
