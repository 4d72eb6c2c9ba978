import { type DiscordSim, startDiscordSim } from "@guildkit/discord-sim";
import type { Hono } from "hono";
import { afterEach, beforeEach } from "vitest";
import type { ServerContext } from "../src/context";
import { createTestContext, TEST_ADMIN_TOKEN } from "./helpers";

/** A signed-in console session over `app.request`: its cookie and CSRF token. */
export interface ConsoleLogin {
  cookie: string;
  csrf: string;
}

const FORM = { "content-type": "application/x-www-form-urlencoded" };

/** Signs in to the console with the admin token, as the sign-in form does. */
export async function signIn(app: Hono, token = TEST_ADMIN_TOKEN): Promise<ConsoleLogin> {
  const form = await app.request("/admin/login");
  const formCookie = (form.headers.get("set-cookie") ?? "").split(";")[0] ?? "";
  const nonce = /name="_login" value="([^"]+)"/.exec(await form.text())?.[1] ?? "";
  const res = await app.request("/admin/login", {
    method: "POST",
    headers: { ...FORM, cookie: formCookie },
    body: new URLSearchParams({ _login: nonce, token }),
  });
  if (res.status !== 303) throw new Error(`sign-in answered ${res.status}`);
  const cookie = (res.headers.getSetCookie()[0] ?? "").split(";")[0] ?? "";
  const page = await app.request("/admin/settings", { headers: { cookie } });
  const csrf = /name="csrf-token" content="([^"]+)"/.exec(await page.text())?.[1] ?? "";
  return { cookie, csrf };
}

/** Posts a console form as the signed-in admin (CSRF token included unless `csrf` is given). */
export function postForm(
  app: Hono,
  login: ConsoleLogin,
  path: string,
  fields: Record<string, string>,
  csrf: string | null = login.csrf,
) {
  return app.request(path, {
    method: "POST",
    headers: { ...FORM, cookie: login.cookie },
    body: new URLSearchParams({ ...(csrf === null ? {} : { _csrf: csrf }), ...fields }),
  });
}

/**
 * A fresh discord-sim and a server context talking to it (SQLite test store) for every test of
 * the file: registers its own `beforeEach`/`afterEach`; read `ctx` and `sim` inside the tests.
 */
export function simContextPerTest(): { ctx: ServerContext; sim: DiscordSim } {
  const env = {} as { ctx: ServerContext; sim: DiscordSim; teardown: () => Promise<void> };
  beforeEach(async () => {
    env.sim = await startDiscordSim();
    const made = await createTestContext({
      settings: { discordApiBaseUrl: env.sim.apiBaseUrl, discordCdnBaseUrl: env.sim.cdnBaseUrl },
    });
    env.ctx = made.ctx;
    env.teardown = made.teardown;
  });
  afterEach(async () => {
    await env.teardown();
    await env.sim.close();
  });
  return env;
}
