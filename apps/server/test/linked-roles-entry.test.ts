import { createConfigLoader, discordConfigSpec } from "@guildkit/config";
import { createSessions, type MemberTokenStore } from "@guildkit/oauth-state";
import { withRoleConnectionsDue } from "@guildkit/worker";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createServerApp } from "../src/app";
import type { ServerContext } from "../src/context";
import { createTestContext } from "./helpers";

let ctx: ServerContext;
let teardown: () => Promise<void>;
beforeEach(async () => {
  ({ ctx, teardown } = await createTestContext());
});
afterEach(async () => teardown());

describe("GET /discord/linked-roles (the Linked Roles verification URL)", () => {
  it("says what to set while role_connections.write is not among the extra scopes", async () => {
    const res = await createServerApp(ctx).request("/discord/linked-roles");
    expect(res.status).toBe(503);
    expect(await res.text()).toContain(
      "<code>role_connections.write</code> to the <code>oauth_extra_scopes</code>",
    );
  });

  it("starts the login flow when signed out and the link flow when signed in", async () => {
    await createConfigLoader({ store: ctx.store.configStore, spec: discordConfigSpec }).save({
      oauth_extra_scopes: ["role_connections.write"],
    });
    const app = createServerApp(ctx);
    const anonymous = await app.request("/discord/linked-roles");
    expect([anonymous.status, anonymous.headers.get("location")]).toEqual([303, "/login/discord"]);
    const member = await ctx.store.members.create({ email: "lr@example.test" });
    const sessions = createSessions({
      store: ctx.store.oauth.sessions,
      clock: { now: () => new Date() },
      secureCookies: false,
    });
    const { setCookie } = await sessions.start({ memberId: member.id });
    const cookie = setCookie.split(";")[0] ?? "";
    const signedIn = await app.request("/discord/linked-roles", { headers: { cookie } });
    expect([signedIn.status, signedIn.headers.get("location")]).toEqual([303, "/discord/login"]);
  });
});

describe("withRoleConnectionsDue", () => {
  const grant = {
    memberId: "7",
    discordUserId: "1400000000000000007",
    accessToken: "a",
    refreshToken: "r",
    expiresAt: new Date("2026-12-10T00:00:00Z"),
    scopes: ["identify", "role_connections.write"],
  };
  it("a kept grant makes the member's Linked Roles push due; a failing markDue never fails the save", async () => {
    const saved: unknown[] = [];
    const due: unknown[] = [];
    const tokens = { save: async (input: unknown) => void saved.push(input) } as unknown as MemberTokenStore;
    const now = new Date("2026-12-03T12:00:00Z");
    const wrapped = withRoleConnectionsDue(
      tokens,
      {
        markDue: async (opts) => {
          due.push(opts);
          return 1;
        },
      },
      { clock: { now: () => now } },
    );
    await wrapped.save(grant as never);
    expect(saved).toHaveLength(1);
    expect(due).toEqual([{ now, memberIds: ["7"] }]);
    const errors: unknown[] = [];
    const failing = withRoleConnectionsDue(
      tokens,
      { markDue: async () => Promise.reject(new Error("database away")) },
      { onError: (e) => errors.push(e) },
    );
    await expect(failing.save(grant as never)).resolves.toBeUndefined();
    expect(errors).toHaveLength(1);
  });
});
