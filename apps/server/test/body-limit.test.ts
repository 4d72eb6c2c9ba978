import { sql } from "kysely";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createServerApp } from "../src/app";
import type { ServerContext } from "../src/context";
import { createTestContext, TEST_ADMIN_TOKEN } from "./helpers";
import { chunksOf, listen, sendPartially } from "./http";

const admin = { authorization: `Bearer ${TEST_ADMIN_TOKEN}`, "content-type": "application/json" };
const form = { "content-type": "application/x-www-form-urlencoded" };
const definition = {
  url: "https://discord.com/api/webhooks/1250000000000000001/tok",
  template: "{item} x{qty}",
  table: "orders",
  operation: "INSERT",
};

let ctx: ServerContext;
let teardown: () => Promise<void>;
let server: Awaited<ReturnType<typeof listen>>;

async function start(settings: Partial<ServerContext["settings"]> = {}) {
  ({ ctx, teardown } = await createTestContext({ settings }));
  await sql`create table orders (id integer primary key autoincrement, item text, qty integer)`.execute(
    ctx.store.kysely,
  );
  server = await listen(createServerApp(ctx));
}

beforeEach(async () => start());
afterEach(async () => {
  await server.close();
  await teardown();
});

const post = (path: string, headers: Record<string, string>, chunks: Buffer[], end = false) =>
  sendPartially({ port: server.port, method: "POST", path, headers, chunks, end });

const tooLarge = (body: string, limit: number, variable: string) =>
  expect(JSON.parse(body)).toEqual({
    error: "payload_too_large",
    limit,
    message: expect.stringContaining(`${limit} bytes (${variable})`),
  });

describe("request body limits, over HTTP", () => {
  it("answers 413 to a 5 MB preview before reading it: the client sends only its first 64 KiB", async () => {
    const answer = await post(
      "/admin/api/webhooks/preview",
      { ...admin, "content-length": String(5 * 1024 * 1024) },
      [Buffer.from(`{"definition":${JSON.stringify(definition)},"sample":{"item":"`), ...chunksOf(64 * 1024)],
    );
    expect(answer.status).toBe(413);
    expect(answer.headers.connection).toBe("close");
    expect(answer.headers["x-content-type-options"]).toBe("nosniff");
    tooLarge(answer.body, 256 * 1024, "BODY_LIMIT_JSON");
  });

  it("reads a chunked admin body only up to 256 KiB, answering 413 while the client is still sending", async () => {
    const answer = await post("/admin/api/webhooks/preview", admin, chunksOf(400 * 1024));
    expect(answer.status).toBe(413);
    tooLarge(answer.body, 256 * 1024, "BODY_LIMIT_JSON");
  });

  it("keeps the unauthenticated signup confirmation from reading a 10 MB form, declared or chunked", async () => {
    const declared = await post(
      "/login/discord/confirm",
      { ...form, "content-length": String(10 * 1024 * 1024) },
      [Buffer.from("signup_token="), ...chunksOf(32 * 1024)],
    );
    expect(declared.status).toBe(413);
    tooLarge(declared.body, 16 * 1024, "BODY_LIMIT_FORM");
    const chunked = await post("/login/discord/confirm", form, [
      Buffer.from("signup_token="),
      ...chunksOf(64 * 1024, 4096),
    ]);
    expect(chunked.status).toBe(413);
    tooLarge(chunked.body, 16 * 1024, "BODY_LIMIT_FORM");
  });

  it("passes bodies within the limit on to the routes, declared or chunked", async () => {
    const body = JSON.stringify({ definition, sample: { item: "x".repeat(200 * 1024), qty: 2 } });
    const declared = await fetch(`${server.base}/admin/api/webhooks/preview`, {
      method: "POST",
      headers: admin,
      body,
    });
    expect(declared.status).toBe(200);
    const preview = (await declared.json()) as { message: { content: string }; truncated: boolean };
    expect([preview.message.content.length, preview.truncated]).toEqual([2000, true]);

    const small = Buffer.from(JSON.stringify({ definition, sample: { item: "tea", qty: 3 } }));
    const chunked = await post(
      "/admin/api/webhooks/preview",
      admin,
      [small.subarray(0, 10), small.subarray(10)],
      true,
    );
    expect(chunked.status).toBe(200);
    expect(JSON.parse(chunked.body)).toMatchObject({ message: { content: "tea x3" } });
  });

  it("follows BODY_LIMIT_JSON and BODY_LIMIT_FORM", async () => {
    await server.close();
    await teardown();
    await start({ bodyLimits: { json: 2048, form: 1024 } });
    const json = await fetch(`${server.base}/admin/api/webhooks`, {
      method: "POST",
      headers: admin,
      body: JSON.stringify({ ...definition, template: "x".repeat(3000) }),
    });
    expect(json.status).toBe(413);
    tooLarge(await json.text(), 2048, "BODY_LIMIT_JSON");
    const logout = await fetch(`${server.base}/logout`, {
      method: "POST",
      headers: { ...form, origin: server.base },
      body: `x=${"y".repeat(2000)}`,
    });
    expect(logout.status).toBe(413);
    tooLarge(await logout.text(), 1024, "BODY_LIMIT_FORM");
    expect(await ctx.store.webhooks.list()).toEqual([]);
  });
});
