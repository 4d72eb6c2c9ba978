import { describe, expect, it } from "vitest";
import { createBearerCheck } from "../src/bearer";

const TOKEN = "metrics-token-0123456789";

describe("createBearerCheck", () => {
  it("passes exactly `Bearer`, one space and the token, and nothing else", () => {
    const check = createBearerCheck(TOKEN);
    expect(check(`Bearer ${TOKEN}`)).toBe(true);
    for (const header of [
      `bearer ${TOKEN}`,
      `BEARER ${TOKEN}`,
      `Bearer  ${TOKEN}`,
      `Bearer\t${TOKEN}`,
      ` Bearer ${TOKEN}`,
      `Bearer ${TOKEN} `,
      `bearer   ${TOKEN}  `,
      `Bearer ${TOKEN}x`,
      `Bearer ${TOKEN.slice(0, -1)}`,
      `Basic ${TOKEN}`,
      TOKEN,
      "Bearer ",
      "",
      null,
      undefined,
    ]) {
      expect(check(header), JSON.stringify(header)).toBe(false);
    }
  });

  it("lets nothing through when the token is empty", () => {
    const check = createBearerCheck("");
    expect(check("Bearer ")).toBe(false);
    expect(check("Bearer")).toBe(false);
  });
});
