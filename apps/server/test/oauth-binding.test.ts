import { createHash, createHmac, randomBytes } from "node:crypto";
import { afterEach, describe, expect, it } from "vitest";
import { HttpBrowser, servedWorld } from "./oauth-helpers";

const BINDING_COOKIE = "gk_oauth_binding";

type World = Awaited<ReturnType<typeof servedWorld>>;
let current: World | null = null;
afterEach(async () => {
  await current?.close();
  current = null;
});

/** The claims of a state token (a JWS: anyone can read them; only the signature is secret). */
function claimsOf(token: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split(".")[1] ?? "", "base64url").toString("utf8"));
}

/** What the planter can compute: the verifier derived from the binding it chose and the nonce in the URL. */
function plantersChallenge(binding: string, nonce: string): string {
  const verifier = createHmac("sha256", binding).update(`guildkit-pkce:${nonce}`).digest("base64url");
  return createHash("sha256").update(verifier).digest("base64url");
}

/** Well-formed binding cookies no server issued: the old shape (time + random) and the new one (a forged MAC). */
function plantedBindings(now: Date): Array<[string, string]> {
  const withTime = (length: number) => {
    const bytes = randomBytes(length);
    bytes.writeUIntBE(Math.floor(now.getTime() / 1000), 0, 6);
    return bytes.toString("base64url");
  };
  return [
    ["the unsigned 43-character shape", withTime(32)],
    ["the 52-character shape with a forged MAC", withTime(39)],
  ];
}

describe("a browser-binding cookie planted in the victim's browser, over HTTP", () => {
  it.each(plantedBindings(new Date()))(
    "(%s) is replaced at the start: the planter's verifier matches no challenge sent to Discord, and the intercepted callback does not sign the planter in",
    async (_shape, planted) => {
      const w = await servedWorld();
      current = w;
      const victimMember = await w.ctx.store.members.create({ email: "victim@example.test" });
      const user = w.sim.seed.user({ username: "victim", email: "victim@example.test", verified: true });

      const victim = new HttpBrowser(w.base);
      victim.cookies.set(BINDING_COOKIE, planted);
      const start = await victim.get("/login/discord?next=%2Fme");
      expect(start.status).toBe(302);
      const issued = victim.cookies.get(BINDING_COOKIE);
      expect(issued).toBeDefined();
      expect(issued).not.toBe(planted);

      const authorizeUrl = new URL(start.headers.get("location") ?? "");
      const nonce = String(claimsOf(authorizeUrl.searchParams.get("state") ?? "").jti);
      const callback = new URL(await w.sim.authorize(authorizeUrl.toString(), { userId: user.id }));
      const code = callback.searchParams.get("code") ?? "";
      const recorded = w.sim.inspect.oauthCode(code);
      expect(recorded?.codeChallenge).toBe(authorizeUrl.searchParams.get("code_challenge"));
      // The planter knows its cookie and reads the nonce from the URL: that no longer gives the verifier.
      expect(plantersChallenge(planted, nonce)).not.toBe(recorded?.codeChallenge);
      expect(plantersChallenge(issued ?? "", nonce)).not.toBe(recorded?.codeChallenge);

      // The planter replays the intercepted callback from its own browser, holding the planted cookie.
      const attacker = new HttpBrowser(w.base);
      attacker.cookies.set(BINDING_COOKIE, planted);
      const stolen = await attacker.get(callback.toString());
      expect(stolen.status).toBe(400);
      expect(await stolen.text()).toContain("another browser");
      expect(attacker.cookies.has("gk_session")).toBe(false);
      expect(w.sim.inspect.oauthCode(code)?.used).toBe(false);
      const callbacks = await w.ctx.store.kysely
        .selectFrom("event_log")
        .select(["kind", "data"])
        .where("kind", "=", "oauth.callback")
        .execute();
      expect(callbacks).toEqual([]);

      // The victim's own browser, holding the binding the server issued, completes the login.
      const done = await victim.get(callback.toString());
      expect(done.status).toBe(303);
      expect(done.headers.get("location")).toBe("/me");
      expect(victim.cookies.has("gk_session")).toBe(true);
      expect(w.sim.inspect.oauthCode(code)?.used).toBe(true);
      const me = await victim.get("/me");
      expect(me.status).toBe(200);
      expect(await me.text()).toContain(victimMember.id);
    },
  );

  it("keeps reusing a binding the server issued (two tabs), with the Max-Age it has left", async () => {
    const w = await servedWorld();
    current = w;
    const browser = new HttpBrowser(w.base);
    const first = await browser.get("/login/discord");
    const binding = browser.cookies.get(BINDING_COOKIE);
    expect(first.headers.getSetCookie().join()).toMatch(/Max-Age=1800; HttpOnly; SameSite=Lax/);
    const second = await browser.get("/login/discord");
    expect(second.status).toBe(302);
    expect(browser.cookies.get(BINDING_COOKIE)).toBe(binding);
  });
});
