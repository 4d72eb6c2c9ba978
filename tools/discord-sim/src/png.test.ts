import { inflateSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { PNG_SIGNATURE, renderAvatarPng } from "./png";

describe("renderAvatarPng", () => {
  it("writes a valid PNG of the requested size, the same bytes for the same seed", () => {
    const png = renderAvatarPng("a_hash", 32);
    expect(png.subarray(0, 8).equals(PNG_SIGNATURE)).toBe(true);
    expect(png.readUInt32BE(16)).toBe(32);
    expect(renderAvatarPng("a_hash", 32).equals(png)).toBe(true);
    expect(renderAvatarPng("another", 32).equals(png)).toBe(false);
    const idatLength = png.readUInt32BE(33);
    expect(png.subarray(37, 41).toString("ascii")).toBe("IDAT");
    const raw = inflateSync(png.subarray(41, 41 + idatLength));
    expect(raw.length).toBe((32 * 3 + 1) * 32);
    expect(png.subarray(-8, -4).toString("ascii")).toBe("IEND");
  });
});
