import { describe, expect, it } from "vitest";
import { previewWebhook } from "./preview";
import { checkPreviewSample, PREVIEW_SAMPLE_LIMITS } from "./preview-sample";

const definition = {
  url: "https://discord.com/api/webhooks/1/tok",
  template: "{item}",
  table: "orders",
  operation: "INSERT",
};
const ctx = { columns: ["id", "item"] };

function nested(depth: number): unknown {
  let value: unknown = 1;
  for (let i = 0; i < depth; i++) value = { a: value };
  return value;
}

describe("preview sample limits", () => {
  it("accepts an ordinary row, including JSON values within the nesting limit", () => {
    expect(checkPreviewSample({ id: 1, item: nested(PREVIEW_SAMPLE_LIMITS.maxDepth - 1) }, "sample")).toEqual(
      [],
    );
  });

  it("refuses a row with more columns than any table can have, naming the field", () => {
    const wide = Object.fromEntries(
      Array.from({ length: PREVIEW_SAMPLE_LIMITS.maxColumns + 1 }, (_, i) => [`c${i}`, i]),
    );
    expect(checkPreviewSample(wide, "sample")).toMatchObject([{ path: ["sample"], code: "sample_too_wide" }]);
  });

  it("refuses values nested deeper than the limit, however deep (no stack overflow)", () => {
    expect(checkPreviewSample({ item: nested(PREVIEW_SAMPLE_LIMITS.maxDepth + 1) }, "old")).toMatchObject([
      { path: ["old"], code: "sample_too_deep" },
    ]);
    expect(checkPreviewSample({ item: nested(200_000) }, "sample")).toMatchObject([
      { code: "sample_too_deep" },
    ]);
  });

  it("refuses a row holding more values than the limit", () => {
    const many = { item: Array.from({ length: PREVIEW_SAMPLE_LIMITS.maxValues }, (_, i) => i) };
    expect(checkPreviewSample(many, "sample")).toMatchObject([{ code: "sample_too_large" }]);
  });

  it("previewWebhook returns the sample's issues with the definition's instead of rendering", () => {
    const result = previewWebhook({ ...definition, template: "{nope}" }, ctx, {
      row: { item: nested(100) },
    });
    expect(result.ok).toBe(false);
    expect(!result.ok && result.issues.map((i) => i.code)).toEqual([
      "unknown_placeholder",
      "sample_too_deep",
    ]);
  });

  it("renders a 5 MB value into a 2,000-character message, building no more than the render cap", () => {
    const result = previewWebhook(definition, ctx, { row: { item: "x".repeat(5_000_000) } });
    expect(result.ok && result.message.truncated).toBe(true);
    expect(result.ok && result.message.body.content).toBe(`${"x".repeat(1999)}…`);
  });
});
