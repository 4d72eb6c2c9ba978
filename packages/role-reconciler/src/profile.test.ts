import { describe, expect, it } from "vitest";
import type { MemberView } from "./bulk";
import { avatarOf, displayNameOf, planProfile } from "./profile";

const base: MemberView = {
  userId: "100000000000000001",
  roles: [],
  nick: null,
  guildAvatar: null,
  username: "alice",
  globalName: null,
  userAvatar: null,
};

describe("profile", () => {
  it("shows the guild nick, else the global name, else the username", () => {
    expect(displayNameOf({ ...base, nick: "Al", globalName: "Alice A." })).toBe("Al");
    expect(displayNameOf({ ...base, nick: "  ", globalName: "Alice A." })).toBe("Alice A.");
    expect(displayNameOf({ ...base, globalName: "" })).toBe("alice");
  });

  it("uses the guild avatar, else the account avatar", () => {
    expect(avatarOf({ ...base, guildAvatar: "g1", userAvatar: "u1" }, "1")?.source).toBe("guild");
    expect(avatarOf({ ...base, userAvatar: "a_u1" }, "1")).toEqual({
      guildId: "1",
      userId: base.userId,
      hash: "a_u1",
      source: "user",
    });
    expect(avatarOf(base, "1")).toBeNull();
  });

  it("downloads the avatar only when its hash changed", () => {
    const view = { ...base, userAvatar: "u1" };
    expect(planProfile({ displayName: "alice", avatarHash: "u1" }, view, "1")).toMatchObject({
      nameChanged: false,
      avatarChanged: false,
    });
    expect(planProfile({ displayName: "alice", avatarHash: "u0" }, view, "1").avatarChanged).toBe(true);
    expect(planProfile({ displayName: "alice", avatarHash: "u0" }, base, "1")).toMatchObject({
      avatar: null,
      avatarChanged: true,
    });
    expect(planProfile({ displayName: null, avatarHash: null }, base, "1")).toMatchObject({
      nameChanged: true,
      avatarChanged: false,
    });
  });
});
