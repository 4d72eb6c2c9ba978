import { createHash } from "node:crypto";
import { afterEach, describe, expect, it } from "vitest";
import { createServerApp } from "../src/app";
import type { ServerContext } from "../src/context";
import { createTestContext, TEST_ADMIN_TOKEN } from "./helpers";
import { listen } from "./http";

let teardowns: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const teardown of teardowns.reverse()) await teardown();
  teardowns = [];
});

async function serveWith(
  settings: Partial<ServerContext["settings"]> = {},
  patch?: (ctx: ServerContext) => ServerContext,
) {
  const { ctx, teardown } = await createTestContext({ settings });
  const server = await listen(createServerApp(patch ? patch(ctx) : ctx));
  teardowns.push(teardown, server.close);
  return server.base;
}

/** The CSP sources of one directive. */
const directive = (policy: string, name: string) =>
  policy
    .split(";")
    .map((d) => d.trim().split(/\s+/))
    .find(([n]) => n === name)
    ?.slice(1) ?? null;

/** Every HTML page the server renders without Discord: home, OAuth refusals (not configured, no session). */
const PAGES = [
  "/",
  "/login/discord?next=/me",
  "/login/discord/callback?code=c0de&state=st4te",
  "/discord/callback?code=c0de&state=st4te",
  "/discord/login",
];

describe("security headers, over HTTP", () => {
  it("gives every HTML page a CSP of default-src 'self' that allows its inline styles by hash and no script", async () => {
    const base = await serveWith();
    let styles = 0;
    for (const path of PAGES) {
      const res = await fetch(`${base}${path}`, { redirect: "manual" });
      expect(res.headers.get("content-type"), path).toMatch(/^text\/html/);
      const policy = res.headers.get("content-security-policy") ?? "";
      expect(directive(policy, "default-src"), path).toEqual(["'self'"]);
      expect(directive(policy, "frame-ancestors"), path).toEqual(["'none'"]);
      expect(policy, path).not.toMatch(/unsafe-inline|unsafe-eval/);
      expect(directive(policy, "script-src"), path).toBeNull(); // falls back to 'self': no inline script
      expect(res.headers.get("x-frame-options"), path).toBe("DENY");
      const html = await res.text();
      expect(html, path).not.toMatch(/<script|\son[a-z]+=|style="/i);
      for (const [, css] of html.matchAll(/<style>([^<]*)<\/style>/g)) {
        styles++;
        const hash = `'sha256-${createHash("sha256")
          .update(css ?? "")
          .digest("base64")}'`;
        expect(directive(policy, "style-src"), path).toContain(hash);
      }
    }
    expect(styles).toBeGreaterThan(0); // the layout's style was seen, and allowed
  });

  it("sends Referrer-Policy: no-referrer on the OAuth routes, whose URLs carry a code and a state", async () => {
    const base = await serveWith();
    // Also an answer no OAuth handler wrote (a 404 under an OAuth path): the server adds it itself.
    for (const path of [...PAGES.filter((p) => p !== "/"), "/login/discord/callback/x?code=c0de"]) {
      const res = await fetch(`${base}${path}`, { redirect: "manual" });
      expect(res.headers.get("referrer-policy"), path).toBe("no-referrer");
    }
    // Other pages keep the browser's default: their forms' Origin header must stay readable.
    expect((await fetch(`${base}/`)).headers.get("referrer-policy")).toBeNull();
  });

  it("sends X-Content-Type-Options: nosniff on every response: pages, JSON, redirects, 401, 404, 413 and 500", async () => {
    const failing = (ctx: ServerContext): ServerContext => ({
      ...ctx,
      store: {
        ...ctx.store,
        webhooks: {
          ...ctx.store.webhooks,
          list: async () => {
            throw new Error("database on fire");
          },
        },
      },
    });
    const base = await serveWith({}, failing);
    const admin = { authorization: `Bearer ${TEST_ADMIN_TOKEN}` };
    const answers = [
      [200, await fetch(`${base}/`)],
      [200, await fetch(`${base}/healthz`)],
      [200, await fetch(`${base}/metrics`)],
      [303, await fetch(`${base}/me`, { redirect: "manual" })],
      [401, await fetch(`${base}/admin/api/webhooks`)],
      [404, await fetch(`${base}/no-such-page`)],
      [413, await fetch(`${base}/logout`, { method: "POST", body: "x".repeat(20_000) })],
      [500, await fetch(`${base}/admin/api/webhooks`, { headers: admin })],
    ] as const;
    for (const [status, res] of answers) {
      expect(res.status).toBe(status);
      expect(res.headers.get("x-content-type-options"), `${status} ${res.url}`).toBe("nosniff");
      expect(res.headers.get("strict-transport-security")).toBeNull(); // served over http
    }
  });

  it("sends HSTS on every response when PUBLIC_BASE_URL is https", async () => {
    const base = await serveWith({ publicBaseUrl: "https://members.example.org" });
    for (const path of ["/", "/healthz", "/login/discord"]) {
      const res = await fetch(`${base}${path}`, { redirect: "manual" });
      expect(res.headers.get("strict-transport-security"), path).toBe("max-age=31536000");
    }
  });
});
