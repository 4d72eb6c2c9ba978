import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createServerApp } from "../src/app";
import type { ServerContext } from "../src/context";
import { signIn } from "./admin-helpers";
import { createTestContext } from "./helpers";

let ctx: ServerContext;
let teardown: () => Promise<void>;
beforeEach(async () => {
  ({ ctx, teardown } = await createTestContext());
});
afterEach(async () => teardown());

const ATTACK = "<script>document.title='pwned'</script>";

describe("admin console speedbump page", () => {
  it("lists the channels with PluralKit, the holds pending and the mapped members, names escaped", async () => {
    const app = createServerApp(ctx);
    const login = await signIn(app);
    const empty = await (await app.request("/admin/speedbump", { headers: { cookie: login.cookie } })).text();
    expect(empty).toContain('id="no-channels"');
    expect(empty).toContain('id="no-holds"');

    const at = new Date("2026-01-01T00:00:00Z");
    const sb = ctx.store.speedbump;
    await sb.saveChannel({
      channelId: "1300000000000000001",
      proxyApplicationId: "466378653216014359",
      webhookId: "1300000000000000009",
      checkedAt: at,
    });
    await sb.saveHold({
      messageId: "1300000000000000100",
      channelId: "1300000000000000001",
      heldAt: at,
      dueAt: new Date(at.getTime() + 3000),
      message: {
        type: "create",
        id: "1300000000000000100",
        channelId: "1300000000000000001",
        parentId: null,
        guildId: "1100000000000000001",
        author: { id: "1400000000000000001", username: "nelly", globalName: null, avatar: null, bot: false },
        webhookId: null,
        applicationId: null,
        content: "hello",
        embeds: [],
        attachments: [],
        timestamp: null,
      },
    });
    await sb.recordMemberSeen({
      member: {
        key: "pk:uuid-1",
        memberId: "abcde",
        memberUuid: "uuid-1",
        systemId: "sysid",
        systemUuid: null,
        handle: "_pk_abcde",
        displayName: ATTACK,
        avatarUrl: null,
      },
      guildId: "1100000000000000001",
      senderUserId: "1400000000000000001",
      seenAt: at,
    });
    const res = await app.request("/admin/speedbump", { headers: { cookie: login.cookie } });
    const body = await res.text();
    expect(res.status).toBe(200);
    expect(body).toContain("1300000000000000009");
    expect(body).toContain("1300000000000000100");
    expect(body).toContain("_pk_abcde");
    expect(body).not.toContain(ATTACK);
    expect(body).toContain("&lt;script&gt;");
  });

  it("is for signed-in admins only", async () => {
    const res = await createServerApp(ctx).request("/admin/speedbump");
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe("/admin/login");
  });
});
