import { describe, expect, it } from "vitest";
import { isAsciiEmail, normalizeEmail } from "./email";

describe("email normal form", () => {
  it("trims and lower-cases ASCII letters only, leaving every other character as it is", () => {
    expect(normalizeEmail("  Nelly@Example.COM ")).toBe("nelly@example.com");
    // Kelvin sign and dotted capital I: Unicode lower-casing would turn them into ASCII look-alikes.
    expect(normalizeEmail("\u212Aelly@Example.test")).toBe("\u212Aelly@example.test");
    expect(normalizeEmail("\u0130NGE@EXAMPLE.TEST")).toBe("\u0130nge@example.test");
    expect(normalizeEmail("ÉLODIE@EXAMPLE.TEST")).toBe("Élodie@example.test");
  });

  it("tells all-ASCII addresses from the others", () => {
    expect(isAsciiEmail("kelly@example.test")).toBe(true);
    expect(isAsciiEmail("\u212Aelly@example.test")).toBe(false);
    expect(isAsciiEmail("élodie@example.test")).toBe(false);
  });
});
