import fc from "fast-check";
import { afterEach, describe, expect, it, vi } from "vitest";
import {
  buildWebhookMessage,
  codePointLength,
  DISCORD_CONTENT_LIMIT,
  isSnowflake,
  RENDER_CAP,
  truncateContent,
  usernameProblem,
} from "./message";
import { compileTemplate } from "./template";

const columns = ["id", "body", "discord_user_id", "other_id"];
const template = compileTemplate("<@{discord_user_id}> {body}", { columns, operation: "INSERT" });
const build = (body: unknown, extra: Partial<Parameters<typeof buildWebhookMessage>[0]> = {}) =>
  buildWebhookMessage({
    template,
    row: { old: null, new: { id: 1, body, discord_user_id: "80351110224678912", other_id: 123 } },
    operation: "INSERT",
    username: "Members bot",
    avatarUrl: null,
    ...extra,
  });

describe("buildWebhookMessage", () => {
  it("lets nothing in row data ping by default", () => {
    const { body } = build("@everyone <@&123456789012345678> @here");
    expect(body.allowed_mentions).toEqual({ parse: [] });
    expect(body.content).toBe("<@80351110224678912> @everyone <@&123456789012345678> @here");
  });

  it("allows user mentions only from opted-in columns holding valid snowflakes", () => {
    expect(build("x", { mentionUserColumns: ["discord_user_id"] }).body.allowed_mentions).toEqual({
      parse: [],
      users: ["80351110224678912"],
    });
    expect(build("x", { mentionUserColumns: ["other_id", "body"] }).body.allowed_mentions).toEqual({
      parse: [],
    });
  });

  it("accepts a snowflake stored as an exact integer", () => {
    const built = buildWebhookMessage({
      template,
      row: { old: null, new: { discord_user_id: 80351110224678912n, body: "hi" } },
      operation: "INSERT",
      username: null,
      avatarUrl: null,
      mentionUserColumns: ["discord_user_id"],
    });
    expect(built.body.allowed_mentions.users).toEqual(["80351110224678912"]);
  });

  it("reads mention columns from the old row for DELETE", () => {
    const del = compileTemplate("bye <@{discord_user_id}>", { columns, operation: "DELETE" });
    const built = buildWebhookMessage({
      template: del,
      row: { old: { discord_user_id: "80351110224678912" }, new: null },
      operation: "DELETE",
      username: null,
      avatarUrl: null,
      mentionUserColumns: ["discord_user_id"],
    });
    expect(built.body).toEqual({
      content: "bye <@80351110224678912>",
      allowed_mentions: { parse: [], users: ["80351110224678912"] },
    });
  });

  it("uses the configured username and avatar", () => {
    const { body } = build("x", { username: "  Sign-ups ", avatarUrl: "https://example.com/a.png" });
    expect(body.username).toBe("Sign-ups");
    expect(body.avatar_url).toBe("https://example.com/a.png");
    const plain = build("x", { username: null });
    expect(plain.body.username).toBeUndefined();
    expect(plain.body.avatar_url).toBeUndefined();
  });

  it("cuts content over 2,000 characters with an ellipsis", () => {
    const built = build("y".repeat(5000));
    expect(built.truncated).toBe(true);
    expect(codePointLength(built.body.content)).toBe(2000);
    expect(built.body.content.endsWith("y…")).toBe(true);
    expect(build("short").truncated).toBe(false);
  });

  it("flags an empty message", () => {
    const blank = compileTemplate("  {body} ", { columns, operation: "INSERT" });
    const built = buildWebhookMessage({
      template: blank,
      row: { old: null, new: { body: null } },
      operation: "INSERT",
      username: null,
      avatarUrl: null,
    });
    expect(built.empty).toBe(true);
  });
});

describe("truncateContent", () => {
  it("counts code points, as Discord does", () => {
    const emoji = "😀".repeat(2000); // 4,000 UTF-16 units, 2,000 code points
    expect(truncateContent(emoji)).toEqual({ content: emoji, truncated: false });
    const over = "😀".repeat(2001);
    const cut = truncateContent(over);
    expect(cut.truncated).toBe(true);
    expect(codePointLength(cut.content)).toBe(2000);
    expect(cut.content.endsWith("😀…")).toBe(true);
  });

  it("never splits a grapheme (emoji sequences, flags, combining marks)", () => {
    const family = "👨‍👩‍👧‍👦"; // 7 code points
    const text = "a".repeat(1995) + family + "tail";
    const cut = truncateContent(text);
    expect(cut.content).toBe(`${"a".repeat(1995)}…`);
    const accents = "e\u0301".repeat(1001); // 2,002 code points
    const cutAccents = truncateContent(accents);
    expect(cutAccents.content).toBe(`${"e\u0301".repeat(999)}…`);
  });

  it("leaves exactly 2,000 characters alone", () => {
    const text = "x".repeat(2000);
    expect(truncateContent(text).content).toBe(text);
    expect(truncateContent(`${text}y`).content).toBe(`${"x".repeat(1999)}…`);
  });
});

describe("usernameProblem", () => {
  it("applies Discord's rules for webhook names", () => {
    expect(usernameProblem("Members")).toBeNull();
    expect(usernameProblem("x".repeat(80))).toBeNull();
    expect(usernameProblem("x".repeat(81))).toContain("at most 80");
    expect(usernameProblem("   ")).toBe("username is empty");
    expect(usernameProblem("My Discord Bot")).toContain('"discord"');
    expect(usernameProblem("CLYDE")).toContain('"clyde"');
  });
});

describe("isSnowflake", () => {
  it("accepts 17–20 digit ids below 2^64", () => {
    expect(isSnowflake("80351110224678912")).toBe(true);
    expect(isSnowflake("18446744073709551615")).toBe(true);
    expect(isSnowflake("18446744073709551616")).toBe(false);
    expect(isSnowflake("1234")).toBe(false);
    expect(isSnowflake("80351110224678912 ")).toBe(false);
    expect(isSnowflake("everyone")).toBe(false);
  });
});

describe("bounded work on huge content", () => {
  afterEach(() => vi.restoreAllMocks());

  /** Every text the grapheme segmenter is asked to walk, by length. */
  const segmented = () => {
    const lengths: number[] = [];
    const original = Intl.Segmenter.prototype.segment;
    vi.spyOn(Intl.Segmenter.prototype, "segment").mockImplementation(function (this: Intl.Segmenter, text) {
      lengths.push(text.length);
      return original.call(this, text);
    });
    return lengths;
  };

  it("truncateContent segments only the head of a 5 MB text", () => {
    const lengths = segmented();
    const cut = truncateContent("👍🏽".repeat(1_000_000));
    expect(cut.truncated).toBe(true);
    expect(codePointLength(cut.content)).toBeLessThanOrEqual(DISCORD_CONTENT_LIMIT);
    expect(Math.max(...lengths)).toBeLessThanOrEqual(2 * (DISCORD_CONTENT_LIMIT + 1));
  });

  it("a template renders at most RENDER_CAP code units of a huge value or a deep JSON value", () => {
    const deep = (() => {
      let v: unknown = "end";
      for (let i = 0; i < 100_000; i++) v = { a: v };
      return v;
    })();
    for (const value of ["x".repeat(5_000_000), deep]) {
      expect(template.render({ old: null, new: { body: value } }, { maxLength: RENDER_CAP }).length).toBe(
        RENDER_CAP,
      );
    }
    const lengths = segmented();
    const render = vi.spyOn(template, "render");
    expect(build("y".repeat(5_000_000)).truncated).toBe(true);
    expect(render).toHaveBeenCalledWith(expect.anything(), { maxLength: RENDER_CAP });
    expect(Math.max(...lengths)).toBeLessThanOrEqual(RENDER_CAP);
  });

  it("cuts exactly where segmenting the whole text would, and at the cap as a full rendering would", () => {
    // The reference: the cut as written before bounding it — segment everything, keep what fits.
    const reference = (text: string) => {
      if (codePointLength(text) <= DISCORD_CONTENT_LIMIT) return { content: text, truncated: false };
      let used = 0;
      let end = 0;
      for (const { segment, index } of new Intl.Segmenter(undefined, { granularity: "grapheme" }).segment(
        text,
      )) {
        const size = codePointLength(segment);
        if (used + size > DISCORD_CONTENT_LIMIT - 1) break;
        used += size;
        end = index + segment.length;
      }
      return { content: `${text.slice(0, end)}…`, truncated: true };
    };
    const piece = fc.constantFrom(
      "a",
      "a b",
      "é",
      "e\u0301",
      "\u0301",
      "👍🏽",
      "👨‍👩‍👧",
      "\u200d",
      "🇫🇷",
      "🇫",
      "\ud800",
      "\r\n",
      "\r",
      "©\u200d",
      "क्ष",
      "\u094d",
      "ᄀ",
      "ᅡ",
      "ᆨ",
      "漢字",
      "ـ",
      "\u0600",
      `a${"\u0301".repeat(80)}`,
      "x".repeat(50),
    );
    fc.assert(
      fc.property(fc.array(piece, { minLength: 200, maxLength: 3000, size: "max" }), (pieces) => {
        const text = pieces.join("");
        const expected = reference(text);
        expect(truncateContent(text)).toEqual(expected);
        expect(truncateContent(text.slice(0, RENDER_CAP))).toEqual(expected);
      }),
      { numRuns: 150 },
    );
  });

  it("walks only a few dozen code units of plain text with the segmenter", () => {
    const lengths = segmented();
    expect(truncateContent("word ".repeat(100_000)).truncated).toBe(true);
    expect(Math.max(...lengths)).toBeLessThan(100);
  });
});
