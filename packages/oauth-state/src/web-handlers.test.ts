import { describe, expect, it } from "vitest";
import {
  AUTHORIZE_URL,
  fakeClock,
  fakeDiscord,
  fakeMembers,
  identity,
  REDIRECT,
  SECRET,
} from "../test/fakes";
import { IdentityProviderError, OAuthNotConfiguredError, StateTokenError } from "./errors";
import { createOAuthFlows } from "./flows";
import { createMemoryNonceStore } from "./memory-nonce-store";
import { createOAuthWebHandlers, escapeHtml, readCookie, statusOf } from "./web-handlers";

function setup(opts: { secure?: boolean; configured?: boolean; session?: string | null } = {}) {
  const discord = fakeDiscord();
  const members = fakeMembers([{ memberId: "7", email: "nelly@example.com" }]);
  const flows = createOAuthFlows<Response>({
    stateSecret: SECRET,
    redirectUris: REDIRECT,
    authorizeUrl: AUTHORIZE_URL,
    client: { load: async () => (opts.configured === false ? null : { clientId: "123" }) },
    identity: discord.provider,
    members: members.port,
    nonces: createMemoryNonceStore(),
    eventLog: { append: async () => {} },
    clock: fakeClock(),
    onLoginComplete: ({ memberId, postLoginPath }) =>
      new Response(null, { status: 303, headers: { location: postLoginPath, "x-member": memberId } }),
  });
  const handlers = createOAuthWebHandlers({
    flows,
    currentMemberId: async () => (opts.session === undefined ? "7" : opts.session),
    secureCookies: opts.secure ?? false,
  });
  return { handlers, discord, members };
}

const cookieOf = (response: Response) => response.headers.get("set-cookie")?.split(";")[0] ?? "";

describe("web-standard handlers", () => {
  it("start a login with a 302, an HttpOnly SameSite=Lax binding cookie and no-store", async () => {
    const { handlers } = setup({ secure: true });
    const response = await handlers.startLogin(
      new Request("https://app.test/login/discord?next=%2Fd%3Fx%3D1"),
    );
    expect(response.status).toBe(302);
    expect(response.headers.get("location")).toMatch(/^https:\/\/discord\.test\/oauth2\/authorize\?/);
    expect(response.headers.get("set-cookie")).toMatch(
      /^gk_oauth_binding=[A-Za-z0-9_-]{43}; Path=\/; Max-Age=900; HttpOnly; SameSite=Lax; Secure$/,
    );
    expect(response.headers.get("cache-control")).toBe("no-store");
    expect(response.headers.get("referrer-policy")).toBe("no-referrer");
  });

  it("complete a login round trip through the hook's response", async () => {
    const { handlers, discord } = setup();
    const start = await handlers.startLogin(new Request("http://app.test/login/discord?next=%2Fd%3Fx%3D1"));
    const params = discord.authorize(
      start.headers.get("location") ?? "",
      identity({ email: "nelly@example.com" }),
    );
    const callback = await handlers.loginCallback(
      new Request(`http://app.test/login/discord/callback?${params}`, {
        headers: { cookie: cookieOf(start) },
      }),
    );
    expect(callback.status).toBe(303);
    expect(callback.headers.get("location")).toBe("/d?x=1");
    expect(callback.headers.get("x-member")).toBe("7");
    expect(callback.headers.get("cache-control")).toBe("no-store");
  });

  it("answer a state from another browser with a 400 page naming the problem, escaped", async () => {
    const { handlers, discord } = setup();
    const start = await handlers.startLogin(new Request("http://app.test/login/discord"));
    const params = discord.authorize(start.headers.get("location") ?? "", identity());
    const response = await handlers.loginCallback(
      new Request(`http://app.test/login/discord/callback?${params}`),
    );
    expect(response.status).toBe(400);
    const html = await response.text();
    expect(html).toContain('data-code="state_browser_mismatch"');
    expect(html).toContain('href="/login/discord"');
  });

  it("refuse the link routes without a session, and answer 503 when not configured", async () => {
    expect(
      (await setup({ session: null }).handlers.startLink(new Request("http://app.test/discord/login")))
        .status,
    ).toBe(401);
    const response = await setup({ configured: false }).handlers.startLogin(
      new Request("http://app.test/login/discord"),
    );
    expect(response.status).toBe(503);
    expect(await response.text()).toContain("not configured");
  });

  it("map errors to statuses and read cookies and HTML safely", () => {
    expect(statusOf(new StateTokenError("expired", { flow: "login" }))).toBe(400);
    expect(
      statusOf(new IdentityProviderError("timeout", { flow: "login", status: null, retryable: true })),
    ).toBe(504);
    expect(
      statusOf(new IdentityProviderError("unavailable", { flow: "login", status: 503, retryable: true })),
    ).toBe(502);
    expect(statusOf(new OAuthNotConfiguredError({ flow: "login" }))).toBe(503);
    const request = new Request("http://x/", { headers: { cookie: "a=1; gk_oauth_binding=abc; b=2" } });
    expect(readCookie(request, "gk_oauth_binding")).toBe("abc");
    expect(readCookie(request, "missing")).toBeNull();
    expect(escapeHtml(`<a href="x">'&'</a>`)).toBe("&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;");
  });
});
