import { RENDER_CAP } from "@guildkit/webhook-templates";
import { sql } from "kysely";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { createServerApp } from "../src/app";
import { createTestContext, TEST_ADMIN_TOKEN } from "./helpers";
import { listen } from "./http";

const admin = { authorization: `Bearer ${TEST_ADMIN_TOKEN}`, "content-type": "application/json" };
const LIMIT = 256 * 1024;
const definition = {
  url: "https://discord.com/api/webhooks/1250000000000000001/tok",
  template: "{item} x{qty}",
  table: "orders",
  operation: "INSERT",
};

let server: Awaited<ReturnType<typeof listen>>;
let teardown: () => Promise<void>;

beforeEach(async () => {
  const made = await createTestContext();
  teardown = made.teardown;
  await sql`create table orders (id integer primary key autoincrement, item text, qty integer)`.execute(
    made.ctx.store.kysely,
  );
  server = await listen(createServerApp(made.ctx));
});
afterEach(async () => {
  vi.restoreAllMocks();
  await server.close();
  await teardown();
});

/** A preview body of just under the JSON limit: `wrap` around a filler of the remaining size. */
function justUnder(wrap: (filler: string) => unknown, unit = "x"): string {
  const empty = JSON.stringify(wrap("")).length;
  const body = JSON.stringify(wrap(unit.repeat(Math.floor((LIMIT - empty - 16) / unit.length))));
  expect(body.length).toBeLessThan(LIMIT);
  expect(body.length).toBeGreaterThan(LIMIT - 64);
  return body;
}

const preview = (body: string) =>
  fetch(`${server.base}/admin/api/webhooks/preview`, { method: "POST", headers: admin, body });

/** Every text the grapheme segmenter (the message cut) walks in this process, by length. */
function segmentedLengths(): number[] {
  const lengths: number[] = [];
  const original = Intl.Segmenter.prototype.segment;
  vi.spyOn(Intl.Segmenter.prototype, "segment").mockImplementation(function (this: Intl.Segmenter, text) {
    lengths.push(text.length);
    return original.call(this, text);
  });
  return lengths;
}

describe("previews near the body limit, over HTTP", () => {
  it("renders a just-under-limit sample with work bounded by the message size, /healthz answering alongside", async () => {
    const lengths = segmentedLengths();
    const body = justUnder((item) => ({ definition, sample: { item, qty: 1 } }));
    const [answer, health] = await Promise.all([preview(body), fetch(`${server.base}/healthz`)]);
    expect(health.status).toBe(200);
    expect(answer.status).toBe(200);
    const result = (await answer.json()) as { message: { content: string }; truncated: boolean };
    expect(result.truncated).toBe(true);
    expect(result.message.content).toBe(`${"x".repeat(1999)}…`);
    // The bounded-work property: whatever the sample's size, the cut walked at most RENDER_CAP
    // code units (it walked the whole 256 KiB value before).
    expect(lengths.length).toBeGreaterThan(0);
    expect(Math.max(...lengths)).toBeLessThanOrEqual(RENDER_CAP);
  });

  it("evaluates a LIKE condition over a just-under-limit value in linear work", async () => {
    // `%a%a%a%b` backtracks a regular expression ~n^3 times: 25 s for 500 characters.
    const body = justUnder(
      (item) => ({
        definition: { ...definition, when: "NEW.item LIKE '%a%a%a%b'" },
        sample: { item, qty: 1 },
      }),
      "a",
    );
    const answer = await preview(body);
    expect(answer.status).toBe(200);
    expect(await answer.json()).toMatchObject({ whenMatches: false, truncated: true });
  });

  it("refuses samples nested deeper or wider than the core's limits with 400, not a stack overflow", async () => {
    const deep = `{"definition":${JSON.stringify(definition)},"sample":{"qty":1,"item":${'{"a":'.repeat(40_000)}1${"}".repeat(40_000)}}}`;
    const wide = JSON.stringify({
      definition,
      sample: Object.fromEntries(Array.from({ length: 15_000 }, (_, i) => [`c${i}`, i])),
    });
    for (const [body, code] of [
      [deep, "sample_too_deep"],
      [wide, "sample_too_wide"],
    ] as const) {
      expect(body.length).toBeLessThan(LIMIT);
      const answer = await preview(body);
      expect(answer.status).toBe(400);
      expect(await answer.json()).toMatchObject({ issues: [{ path: ["sample"], code }] });
    }
  });
});
