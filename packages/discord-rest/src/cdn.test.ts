import { describe, expect, it } from "vitest";
import { buildAvatarPath, defaultAvatarIndex, isValidImageSize } from "./cdn";

describe("buildAvatarPath", () => {
  it("builds a user avatar path as png by default", () => {
    expect(
      buildAvatarPath({ userId: "80351110224678912", hash: "8342729096ea3675442027381ff50dfe" }).path,
    ).toBe("/avatars/80351110224678912/8342729096ea3675442027381ff50dfe.png");
  });

  it("builds the guild member avatar path when a guild is given", () => {
    const path = buildAvatarPath({ userId: "2", hash: "abc", guildId: "1", size: 128 });
    expect(path.path).toBe("/guilds/1/users/2/avatars/abc.png?size=128");
    expect(path.template).toBe("/guilds/:guild/users/:user/avatars/:hash.png");
  });

  it("serves a_ hashes as gif whatever format was asked", () => {
    expect(buildAvatarPath({ userId: "2", hash: "a_abc", format: "webp" }).path).toBe("/avatars/2/a_abc.gif");
  });

  it("falls back to the default avatar (id >> 22) % 6 when there is no hash", () => {
    const userId = ((5n << 22n) + 123n).toString();
    expect(buildAvatarPath({ userId, hash: null, size: 64 }).path).toBe("/embed/avatars/5.png");
    expect(defaultAvatarIndex("not-a-number")).toBe(0);
  });

  it("refuses sizes that are not a power of two from 16 to 4096", () => {
    expect(isValidImageSize(4096)).toBe(true);
    expect(isValidImageSize(100)).toBe(false);
    expect(() => buildAvatarPath({ userId: "1", hash: "a", size: 8 })).toThrow(RangeError);
  });
});
