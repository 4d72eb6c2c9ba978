import { request } from "node:http";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { SimPkMessage } from "../src/types";
import { CHANNEL, GUILD, readJson, startWorld, UA, type World } from "./helpers";

let w: World;
beforeEach(async () => {
  w = await startWorld({ pluralkitPerSecond: 100 });
  w.sim.seed.pkMessage(message);
});
afterEach(async () => {
  await w.sim.close();
});

const message: SimPkMessage = {
  id: "1300000000000000001",
  original: "1300000000000000000",
  sender: "80351110224678912",
  channel: CHANNEL,
  guild: GUILD,
  system: {
    id: "exmpl",
    uuid: "11111111-2222-3333-4444-555555555555",
    name: "Example",
    tag: "| PK",
    avatar_url: null,
  },
  member: {
    id: "abcde",
    uuid: "66666666-7777-8888-9999-000000000000",
    name: "Alice",
    display_name: null,
    pronouns: "she/her",
    avatar_url: "https://example.test/alice.png",
    webhook_avatar_url: null,
    color: "ff00ff",
  },
};

/** A GET with no User-Agent at all (fetch always adds one). */
function bareGet(url: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, (res) => {
      let body = "";
      res.on("data", (chunk) => {
        body += chunk;
      });
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on("error", reject);
    req.end();
  });
}

const pk = (path: string, headers: Record<string, string> = { "User-Agent": UA }) =>
  fetch(`${w.sim.url}/pk${path}`, { headers });

describe("PluralKit GET /v2/messages/{id}", () => {
  it("returns PluralKit's Message model for the proxied id, every key present", async () => {
    const res = await pk(`/v2/messages/${message.id}`);
    expect(res.status).toBe(200);
    const body = await readJson(res);
    expect(Object.keys(body)).toEqual([
      "timestamp",
      "id",
      "original",
      "sender",
      "channel",
      "guild",
      "system",
      "member",
    ]);
    expect(body.timestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(body).toMatchObject({
      id: message.id,
      original: message.original,
      sender: message.sender,
      guild: GUILD,
    });
    expect(body.system).toMatchObject({ id: "exmpl", tag: "| PK", description: null, privacy: null });
    expect(body.member).toEqual({
      id: "abcde",
      uuid: "66666666-7777-8888-9999-000000000000",
      name: "Alice",
      display_name: null,
      color: "ff00ff",
      birthday: null,
      pronouns: "she/her",
      avatar_url: "https://example.test/alice.png",
      webhook_avatar_url: null,
      banner: null,
      description: null,
      created: null,
      keep_proxy: false,
      tts: false,
      autoproxy_enabled: null,
      message_count: null,
      last_message_timestamp: null,
      proxy_tags: [],
      privacy: null,
    });
  });

  it("resolves the original message id for 30 minutes of sim time, then 404s", async () => {
    expect((await pk(`/v2/messages/${message.original}`)).status).toBe(200);
    w.clock.advance(30 * 60 * 1000);
    expect((await pk(`/v2/messages/${message.original}`)).status).toBe(200);
    w.clock.advance(1);
    const gone = await pk(`/v2/messages/${message.original}`);
    expect(gone.status).toBe(404);
    expect(await readJson(gone)).toEqual({ message: "Message not found.", code: 20006 });
    expect((await pk(`/v2/messages/${message.id}`)).status).toBe(200);
  });

  it("answers 404 20006 for an unknown message", async () => {
    const res = await pk("/v2/messages/42");
    expect(res.status).toBe(404);
    expect(await readJson(res)).toEqual({ message: "Message not found.", code: 20006 });
  });

  it("answers 400 with an empty body when the User-Agent is missing or empty", async () => {
    const missing = await bareGet(`${w.sim.url}/pk/v2/messages/${message.id}`);
    expect(missing).toEqual({ status: 400, body: "" });
    const empty = await fetch(`${w.sim.url}/pk/v2/messages/${message.id}`, { headers: { "User-Agent": "" } });
    expect(empty.status).toBe(400);
    expect(await empty.text()).toBe("");
  });

  it("answers 410 for /v1", async () => {
    const res = await pk(`/v1/msg/${message.id}`);
    expect(res.status).toBe(410);
    expect(await readJson(res)).toEqual({ message: "Unsupported API version", code: 0 });
  });

  it("limits each client (GCRA, burst = rate) and answers PluralKit's 429", async () => {
    await w.sim.close();
    w = await startWorld({ pluralkitPerSecond: 2 });
    w.sim.seed.pkMessage(message);
    const first = await pk(`/v2/messages/${message.id}`);
    expect(first.headers.get("x-ratelimit-limit")).toBe("2");
    expect(first.headers.get("x-ratelimit-remaining")).toBe("1");
    expect(first.headers.get("x-ratelimit-scope")).toBe("message");
    expect(Number(first.headers.get("x-ratelimit-reset"))).toBeGreaterThan(1e9);
    expect((await pk(`/v2/messages/${message.id}`)).status).toBe(200);
    const limited = await pk(`/v2/messages/${message.id}`);
    expect(limited.status).toBe(429);
    expect(await readJson(limited)).toEqual({
      message: "429: too many requests",
      retry_after: 500,
      scope: "message",
      code: 0,
    });
    w.clock.advance(500);
    expect((await pk(`/v2/messages/${message.id}`)).status).toBe(200);
    expect(w.sim.inspect.rateLimited().pluralkit).toBe(1);
  });
});
