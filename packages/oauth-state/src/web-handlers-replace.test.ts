import { describe, expect, it } from "vitest";
import { harness, identity } from "../test/fakes";
import { OAuthConfigError } from "./errors";
import type { OAuthFlows } from "./flows";
import { createMemorySessionStore } from "./memory-session-store";
import { createSessions } from "./sessions";
import { createOAuthWebHandlers } from "./web-handlers";

const OLD = "111111111111111111";
const cookieOf = (setCookie: string | null) => setCookie?.split(";")[0] ?? "";

function setup() {
  const h = harness({ members: [{ memberId: "42", discordUserId: OLD, discordUsername: "<old>" }] });
  const sessions = createSessions({
    store: createMemorySessionStore(),
    clock: h.clock,
    secureCookies: false,
  });
  const handlers = createOAuthWebHandlers({
    flows: h.flows as unknown as OAuthFlows<Response>,
    sessions,
    secureCookies: false,
  });
  return { h, sessions, handlers };
}

describe("web handlers: replacing a linked Discord account", () => {
  it("show an escaped confirmation page, keep the binding, then replace on POST and revoke the member's other sessions", async () => {
    const { h, sessions, handlers } = setup();
    const mine = cookieOf((await sessions.start({ memberId: "42" })).setCookie);
    const elsewhere = cookieOf((await sessions.start({ memberId: "42" })).setCookie);
    const start = await handlers.startLink(
      new Request("http://app.test/discord/login?next=%2Fme", { headers: { cookie: mine } }),
    );
    expect(start.status).toBe(302);
    const binding = cookieOf(start.headers.get("set-cookie"));
    const cookie = `${mine}; ${binding}`;
    const params = h.discord.authorize(start.headers.get("location") ?? "", identity());
    const page = await handlers.linkCallback(
      new Request(`http://app.test/discord/callback?${params}`, { headers: { cookie } }),
    );
    expect(page.status).toBe(200);
    expect(page.headers.getSetCookie()).toEqual([]);
    expect(page.headers.get("cache-control")).toBe("no-store");
    const html = await page.text();
    expect(html).toContain(
      `Replace Discord account <strong>&lt;old&gt; (${OLD})</strong> with <strong>Nelly (${identity().id})</strong>?`,
    );
    expect(html).toContain('action="/discord/confirm"');
    expect(h.members.rows.get("42")?.discordUserId).toBe(OLD);
    const token = /name="replace_token" value="([^"]+)"/.exec(html)?.[1] ?? "";

    const done = await handlers.confirmReplace(
      new Request("http://app.test/discord/confirm", {
        method: "POST",
        headers: { cookie },
        body: new URLSearchParams({ replace_token: token }),
      }),
    );
    expect(done.status).toBe(303);
    expect(done.headers.get("location")).toBe("/me");
    expect(done.headers.getSetCookie()).toEqual([
      "gk_oauth_binding=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax",
    ]);
    expect(h.members.rows.get("42")?.discordUserId).toBe(identity().id);
    const as = (c: string) => new Request("http://app.test/me", { headers: { cookie: c } });
    expect(await sessions.memberIdOf(as(mine))).toBe("42");
    expect(await sessions.memberIdOf(as(elsewhere))).toBeNull();
  });

  it("refuse the confirmation without a session (401) and need sessions or currentMemberId", async () => {
    const { handlers } = setup();
    const response = await handlers.confirmReplace(
      new Request("http://app.test/discord/confirm", {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body: "replace_token=x",
      }),
    );
    expect(response.status).toBe(401);
    const { h } = setup();
    expect(() =>
      createOAuthWebHandlers({ flows: h.flows as unknown as OAuthFlows<Response>, secureCookies: false }),
    ).toThrow(OAuthConfigError);
  });
});
