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
import type { EventLogEntry } from "./ports";
import { createOAuthWebHandlers, escapeHtml, readCookie, statusOf } from "./web-handlers";

function setup(
  opts: { secure?: boolean; configured?: boolean; session?: string | null; signupHook?: boolean } = {},
) {
  const discord = fakeDiscord();
  const members = fakeMembers([{ memberId: "7", email: "nelly@example.com" }]);
  const events: EventLogEntry[] = [];
  const flows = createOAuthFlows<Response>({
    stateSecret: SECRET,
    redirectUris: REDIRECT,
    authorizeUrl: AUTHORIZE_URL,
    client: { load: async () => (opts.configured === false ? null : { clientId: "123" }) },
    identity: discord.provider,
    members: members.port,
    transactions: members.transactions,
    nonces: createMemoryNonceStore(),
    eventLog: { append: async (entry) => void events.push(entry) },
    clock: fakeClock(),
    onLoginComplete: ({ memberId, postLoginPath }) =>
      new Response(null, { status: 303, headers: { location: postLoginPath, "x-member": memberId } }),
    ...(opts.signupHook
      ? {
          onSignupConfirm: ({ signupToken }: { signupToken: string }) =>
            new Response(signupToken, { headers: { "content-type": "text/plain" } }),
        }
      : {}),
  });
  const handlers = createOAuthWebHandlers({
    flows,
    currentMemberId: async () => (opts.session === undefined ? "7" : opts.session),
    secureCookies: opts.secure ?? false,
  });
  return { handlers, discord, members, events };
}

const cookieOf = (response: Response) => response.headers.get("set-cookie")?.split(";")[0] ?? "";
const CLEARED = "gk_oauth_binding=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax";

describe("web-standard handlers", () => {
  it("start a login with a 302, a __Host- HttpOnly SameSite=Lax binding cookie on https, and no-store", async () => {
    const { handlers } = setup({ secure: true });
    const response = await handlers.startLogin(
      new Request("https://app.test/login/discord?next=%2Fd%3Fx%3D1"),
    );
    expect(response.status).toBe(302);
    expect(response.headers.get("location")).toMatch(/^https:\/\/discord\.test\/oauth2\/authorize\?/);
    expect(response.headers.get("set-cookie")).toMatch(
      /^__Host-gk_oauth_binding=[A-Za-z0-9_-]{52}; Path=\/; Max-Age=1800; HttpOnly; SameSite=Lax; Secure$/,
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
    expect(callback.headers.getSetCookie()).toEqual([CLEARED]);
  });

  it("keep the binding cookie while a signup confirmation is pending, and clear it once signed in", async () => {
    const { handlers, discord } = setup({ signupHook: true });
    const start = await handlers.startLogin(new Request("http://app.test/login/discord"));
    const params = discord.authorize(
      start.headers.get("location") ?? "",
      identity({ email: "new@example.com" }),
    );
    const cookie = cookieOf(start);
    const pending = await handlers.loginCallback(
      new Request(`http://app.test/login/discord/callback?${params}`, { headers: { cookie } }),
    );
    expect(pending.status).toBe(200);
    expect(pending.headers.getSetCookie()).toEqual([]);
    const done = await handlers.confirmSignup(
      new Request("http://app.test/login/discord/confirm", {
        method: "POST",
        headers: { cookie },
        body: new URLSearchParams({ signup_token: await pending.text() }),
      }),
    );
    expect(done.status).toBe(303);
    expect(done.headers.getSetCookie()).toEqual([CLEARED]);
  });

  it("clear the binding cookie after a successful link", async () => {
    const { handlers, discord } = setup();
    const start = await handlers.startLink(new Request("http://app.test/discord/login?next=%2Fme"));
    const params = discord.authorize(start.headers.get("location") ?? "", identity());
    const linked = await handlers.linkCallback(
      new Request(`http://app.test/discord/callback?${params}`, { headers: { cookie: cookieOf(start) } }),
    );
    expect(linked.status).toBe(303);
    expect(linked.headers.get("location")).toBe("/me");
    expect(linked.headers.getSetCookie()).toEqual([CLEARED]);
  });

  it("treat two binding cookies as none, and on https read only the __Host- one", async () => {
    const plain = setup();
    const start = await plain.handlers.startLogin(new Request("http://app.test/login/discord"));
    const params = plain.discord.authorize(start.headers.get("location") ?? "", identity());
    const twice = await plain.handlers.loginCallback(
      new Request(`http://app.test/login/discord/callback?${params}`, {
        headers: { cookie: `${cookieOf(start)}; ${cookieOf(start).replace(/=.*/, "=planted")}` },
      }),
    );
    expect(twice.status).toBe(400);
    expect(await twice.text()).toContain('data-code="state_browser_mismatch"');

    const secure = setup({ secure: true });
    const https = await secure.handlers.startLogin(new Request("https://app.test/login/discord"));
    const query = secure.discord.authorize(https.headers.get("location") ?? "", identity());
    const unprefixed = cookieOf(https).replace(/^__Host-/, "");
    const response = await secure.handlers.loginCallback(
      new Request(`https://app.test/login/discord/callback?${query}`, { headers: { cookie: unprefixed } }),
    );
    expect(response.status).toBe(400);
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

  it("refuse the link routes without a session (the callback written to the event log), and answer 503 when not configured", async () => {
    const noSession = setup({ session: null });
    expect((await noSession.handlers.startLink(new Request("http://app.test/discord/login"))).status).toBe(
      401,
    );
    const callback = await noSession.handlers.linkCallback(
      new Request("http://app.test/discord/callback?code=x&state=y"),
    );
    expect(callback.status).toBe(401);
    const html = await callback.text();
    expect(html).toContain('data-code="session_required"');
    expect(html).toContain('href="/"');
    expect(noSession.events).toMatchObject([
      { kind: "oauth.error", data: { flow: "link", code: "session_required" } },
    ]);
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
    const twice = new Request("http://x/", {
      headers: { cookie: "gk_oauth_binding=abc; gk_oauth_binding=def" },
    });
    expect(readCookie(twice, "gk_oauth_binding")).toBeNull();
    expect(escapeHtml(`<a href="x">'&'</a>`)).toBe("&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;");
  });
});
