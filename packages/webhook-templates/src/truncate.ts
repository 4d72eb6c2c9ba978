/** Discord's limit on message content, counted in Unicode code points (what Discord counts). */
export const DISCORD_CONTENT_LIMIT = 2000;

const ELLIPSIS = "…";
/** How far before the cut (in code units) a safe place to start segmenting is looked for. */
const SAFE_WINDOW = 64;

/** Length in Unicode code points, as Discord counts message content. */
export function codePointLength(text: string): number {
  let n = 0;
  for (const _ of text) n++;
  return n;
}

/**
 * Cuts `content` to at most `limit` code points, ending with "…" when it was cut. The cut falls on a
 * grapheme boundary, so an emoji sequence or a letter with its accents is never split.
 *
 * Work is bounded by `limit`, not by the text: only the first `limit + 1` code points are read (a
 * grapheme boundary depends on the characters before it and the one after, so the boundaries in
 * that head are the text's own), and the grapheme segmenter — each step of which costs time in
 * proportion to the text it walks — starts at the nearest safe junction before the cut (the whole
 * head, at most 2 × (limit + 1) code units, when there is none within 64 code units).
 */
export function truncateContent(
  content: string,
  limit = DISCORD_CONTENT_LIMIT,
): { content: string; truncated: boolean } {
  if (content.length <= limit) return { content, truncated: false };
  const head = content.slice(0, codeUnitsOf(content, limit + 1));
  if (head.length === content.length && codePointLength(head) <= limit) return { content, truncated: false };
  const cut = codeUnitsOf(head, limit - 1); // room for the ellipsis
  let start = cut;
  while (start > 0 && !isSafeJunction(head, start)) start = cut - start < SAFE_WINDOW ? start - 1 : 0;
  // The last boundary at or before the cut: segments start at boundaries; the head's end is past it.
  let end = start;
  for (const { index } of segmenter().segment(head.slice(start))) {
    if (start + index > cut) break;
    end = start + index;
  }
  return { content: content.slice(0, end) + ELLIPSIS, truncated: true };
}

/**
 * Whether position `i` of `text` is a grapheme boundary whatever comes before `i - 1`, so that
 * segmenting from `i` finds exactly the boundaries segmenting the whole text finds after it: both
 * neighbours are code points below U+0300 (Latin, controls, © and ®: none is Extend, ZWJ, a
 * SpacingMark, Prepend, a Hangul jamo or a regional indicator, so UAX #29 breaks between them) or
 * CJK ideographs, and they are not CR LF.
 */
function isSafeJunction(text: string, i: number): boolean {
  const before = text.charCodeAt(i - 1);
  const after = text.charCodeAt(i);
  const simple = (c: number) => c < 0x300 || (c >= 0x4e00 && c <= 0x9fff);
  return simple(before) && simple(after) && !(before === 0x0d && after === 0x0a);
}

/** How many UTF-16 code units the first `count` code points of `text` take (all of it when shorter). */
export function codeUnitsOf(text: string, count: number): number {
  let units = 0;
  for (let n = 0; n < count && units < text.length; n++) {
    const c = text.charCodeAt(units);
    const pair = c >= 0xd800 && c <= 0xdbff && units + 1 < text.length;
    const next = pair ? text.charCodeAt(units + 1) : 0;
    units += pair && next >= 0xdc00 && next <= 0xdfff ? 2 : 1;
  }
  return units;
}

let graphemes: Intl.Segmenter | null = null;
function segmenter(): Intl.Segmenter {
  graphemes ??= new Intl.Segmenter(undefined, { granularity: "grapheme" });
  return graphemes;
}
