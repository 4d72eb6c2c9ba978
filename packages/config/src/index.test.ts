import { describe, expect, it } from "vitest";
import * as mod from "./index";

describe("config", () => {
  it("loads", () => {
    expect(mod).toBeTypeOf("object");
  });
});
