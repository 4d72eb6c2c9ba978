import type { DefinitionContext, ValidDefinition } from "./definition";
import { validateWebhookDefinition } from "./definition";
import type { DefinitionIssue } from "./errors";
import { type BuiltMessage, buildWebhookMessage } from "./message";
import { checkPreviewSample } from "./preview-sample";
import type { RowData, RowImage } from "./row-data";
import { evaluateWhen } from "./when/evaluate";

/** A sample row to preview against: one image, or both for UPDATE (`old` defaults to `row`). */
export interface PreviewSample {
  row: RowData;
  old?: RowData | null;
}

/** What a preview shows. */
export type PreviewResult =
  | {
      ok: true;
      message: BuiltMessage;
      /** Whether the WHEN condition holds for the sample (`null`: unknown, the trigger would not fire); `true` without a condition. */
      whenMatches: boolean | null;
      row: RowImage;
    }
  | { ok: false; issues: DefinitionIssue[] };

/**
 * Renders a definition against a sample row (or the table's newest row) exactly as delivery would,
 * and says whether its WHEN condition would let that row through. The definition is validated
 * first, and the sample checked against `PREVIEW_SAMPLE_LIMITS` (issues at `["sample"]` or
 * `["old"]`); any problem yields the issues. Rendering stops at `RENDER_CAP` code units, so a
 * huge value costs no more than a short one.
 */
export function previewWebhook(input: unknown, ctx: DefinitionContext, sample: PreviewSample): PreviewResult {
  const result = validateWebhookDefinition(input, ctx);
  const issues = [
    ...(result.ok ? [] : result.issues),
    ...checkPreviewSample(sample.row, "sample"),
    ...checkPreviewSample(sample.old ?? null, "old"),
  ];
  if (!result.ok || issues.length > 0) return { ok: false, issues };
  return renderPreview(result, sample);
}

/** {@link previewWebhook} for a definition that is already validated. */
export function renderPreview(valid: ValidDefinition, sample: PreviewSample): PreviewResult & { ok: true } {
  const op = valid.definition.operation;
  const row: RowImage =
    op === "INSERT"
      ? { old: null, new: sample.row }
      : op === "DELETE"
        ? { old: sample.row, new: null }
        : { old: sample.old ?? sample.row, new: sample.row };
  const message = buildWebhookMessage({
    template: valid.template,
    row,
    operation: op,
    username: valid.definition.username,
    avatarUrl: valid.definition.avatarUrl,
    mentionUserColumns: valid.definition.mentionUserColumns,
  });
  return { ok: true, message, whenMatches: valid.when ? evaluateWhen(valid.when, row) : true, row };
}
