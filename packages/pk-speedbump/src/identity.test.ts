import { describe, expect, it } from "vitest";
import {
  defaultDisplayName,
  fallbackIdentity,
  mapIdentity,
  toMemberRecord,
  webhookProfile,
} from "./identity";
import type { PkMessage } from "./ports";

const profile = { webhookId: "300", username: "Alice | sys", avatarUrl: "https://cdn/webhook.png" };

function message(
  member: Partial<NonNullable<PkMessage["member"]>> = {},
  system: Partial<NonNullable<PkMessage["system"]>> = {},
): PkMessage {
  return {
    id: "2",
    original: "1",
    sender: "42",
    channel: "5",
    guild: "6",
    system: {
      id: "sysxy",
      uuid: "sys-uuid",
      name: "Sys",
      tag: "| sys",
      avatar_url: "https://pk/system.png",
      ...system,
    },
    member: {
      id: "abcde",
      uuid: "mem-uuid",
      name: "Alice",
      display_name: null,
      pronouns: "she/her",
      avatar_url: "https://pk/avatar.png",
      webhook_avatar_url: "https://pk/webhook-avatar.png",
      ...member,
    },
  };
}

describe("mapIdentity", () => {
  it("keys the member by uuid, handles it as _pk_<id>, names it Name [pronouns]", () => {
    expect(mapIdentity(message(), profile)).toEqual({
      key: "pk:mem-uuid",
      handle: "_pk_abcde",
      displayName: "Alice [she/her]",
      avatarUrl: "https://pk/webhook-avatar.png",
      memberId: "abcde",
      memberUuid: "mem-uuid",
      systemId: "sysxy",
      systemUuid: "sys-uuid",
      senderUserId: "42",
      resolved: true,
    });
  });

  it("leaves the brackets out when the member has no pronouns", () => {
    expect(mapIdentity(message({ pronouns: null }), profile).displayName).toBe("Alice");
    expect(mapIdentity(message({ pronouns: "  " }), profile).displayName).toBe("Alice");
  });

  it("prefers the member's display_name over the name", () => {
    expect(mapIdentity(message({ display_name: "Ally ✨" }), profile).displayName).toBe("Ally ✨ [she/her]");
  });

  it("picks the avatar webhook_avatar_url, then avatar_url, then the system's, then the webhook's", () => {
    expect(mapIdentity(message({ webhook_avatar_url: null }), profile).avatarUrl).toBe(
      "https://pk/avatar.png",
    );
    expect(mapIdentity(message({ webhook_avatar_url: null, avatar_url: null }), profile).avatarUrl).toBe(
      "https://pk/system.png",
    );
    expect(
      mapIdentity(message({ webhook_avatar_url: null, avatar_url: null }, { avatar_url: null }), profile)
        .avatarUrl,
    ).toBe("https://cdn/webhook.png");
  });

  it("takes a configured handle prefix and display-name format", () => {
    const identity = mapIdentity(message(), profile, {
      handlePrefix: "_ooye_pk_",
      formatDisplayName: (p) => `${p.name}${p.systemTag ? ` ${p.systemTag}` : ""}`,
    });
    expect(identity.handle).toBe("_ooye_pk_abcde");
    expect(identity.displayName).toBe("Alice | sys");
  });

  it("falls back to the webhook profile, resolved, when PluralKit has no member or no message", () => {
    const deleted = { ...message(), member: null };
    expect(mapIdentity(deleted, profile)).toMatchObject({
      key: null,
      handle: null,
      displayName: "Alice | sys",
      avatarUrl: "https://cdn/webhook.png",
      senderUserId: "42",
      resolved: true,
    });
    expect(mapIdentity(null, profile)).toMatchObject({ key: null, senderUserId: null, resolved: true });
  });
});

describe("fallbackIdentity and webhookProfile", () => {
  it("marks an identity built while PluralKit is unreachable as unresolved", () => {
    expect(fallbackIdentity(profile, { resolved: false })).toMatchObject({
      resolved: false,
      displayName: "Alice | sys",
    });
  });

  it("builds the webhook avatar URL from the hash (gif for animated)", () => {
    const author = { id: "300", username: "W", globalName: null, avatar: "a_1f", bot: true };
    expect(webhookProfile(author, "300", { cdnBaseUrl: "http://sim/cdn/" }).avatarUrl).toBe(
      "http://sim/cdn/avatars/300/a_1f.gif",
    );
    expect(webhookProfile({ ...author, avatar: null }, "300").avatarUrl).toBeNull();
  });

  it("turns only a member identity into a cache record", () => {
    expect(toMemberRecord(fallbackIdentity(profile, { resolved: true }))).toBeNull();
    expect(toMemberRecord(mapIdentity(message(), profile))).toMatchObject({
      key: "pk:mem-uuid",
      handle: "_pk_abcde",
    });
  });

  it("defaultDisplayName is Name [pronouns]", () => {
    expect(
      defaultDisplayName({
        name: "Bo",
        memberName: "Bo",
        memberDisplayName: null,
        pronouns: "they/them",
        systemName: null,
        systemTag: null,
      }),
    ).toBe("Bo [they/them]");
  });
});
