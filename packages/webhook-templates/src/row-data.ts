import { stringifyRowJsonHead } from "./bounded-json";

/**
 * Row data as the trigger stored it: one JSON object per row image, column name → value.
 * Integers beyond 2^53 (Discord snowflakes kept in integer columns) are `bigint`, so they render
 * and compare exactly.
 */
export type RowData = Readonly<Record<string, unknown>>;

/**
 * Both row images of a data change: `new` for INSERT and UPDATE, `old` for UPDATE and DELETE; the
 * missing one is `null`.
 */
export interface RowImage {
  old: RowData | null;
  new: RowData | null;
}

const LONG_DIGITS = /[0-9]{16}/;

/**
 * Parses a row image stored by a trigger (`json_object(…)` on SQLite, `to_jsonb(…)` on Postgres).
 * Integers that do not fit a double exactly become `bigint`. `null` in, `null` out.
 *
 * @throws SyntaxError when the text is not a JSON object.
 */
export function parseRowJson(text: string | null): RowData | null {
  if (text === null) return null;
  const value = LONG_DIGITS.test(text) ? new ExactJsonParser(text).parseDocument() : JSON.parse(text);
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    throw new SyntaxError("row data is not a JSON object");
  }
  return value as RowData;
}

/**
 * Serialises row data (or any value holding `bigint`s) to JSON, writing `bigint`s as exact numbers —
 * the inverse of {@link parseRowJson}.
 */
export function stringifyRowJson(value: unknown): string {
  const marks: string[] = [];
  const json = JSON.stringify(value, (_key, v: unknown) => {
    if (typeof v === "bigint") {
      marks.push(v.toString());
      return `\u0000bigint${marks.length - 1}\u0000`;
    }
    return v;
  });
  if (marks.length === 0) return json;
  return json.replace(/"\\u0000bigint(\d+)\\u0000"/g, (_m, i: string) => marks[Number(i)] ?? "null");
}

/**
 * Renders one value for a message: NULL and missing → empty text, strings as they are, numbers and
 * `bigint`s in decimal, booleans `true`/`false`, objects and arrays (JSON columns) as JSON.
 *
 * With `maxLength`, only the first `maxLength` UTF-16 units are produced, and the work is bounded by
 * it: a JSON value is serialised only as far as it shows ({@link stringifyRowJsonHead}), however
 * large or deeply nested it is.
 */
export function renderValue(value: unknown, maxLength = Number.POSITIVE_INFINITY): string {
  if (value === null || value === undefined) return "";
  let text: string;
  switch (typeof value) {
    case "string":
      text = value;
      break;
    case "number":
    case "bigint":
      text = String(value);
      break;
    case "boolean":
      text = value ? "true" : "false";
      break;
    default:
      if (value instanceof Date) text = value.toISOString();
      else if (maxLength !== Number.POSITIVE_INFINITY) return stringifyRowJsonHead(value, maxLength);
      else return stringifyRowJson(value);
  }
  return text.length > maxLength ? text.slice(0, maxLength) : text;
}

/** A small JSON parser that keeps integers beyond 2^53 exact (as `bigint`). */
class ExactJsonParser {
  private i = 0;

  constructor(private readonly s: string) {}

  parseDocument(): unknown {
    const v = this.value();
    this.ws();
    if (this.i !== this.s.length) this.fail();
    return v;
  }

  private value(): unknown {
    this.ws();
    const c = this.s.charAt(this.i);
    if (c === "{") return this.object();
    if (c === "[") return this.array();
    if (c === '"') return this.string();
    if (c === "-" || (c >= "0" && c <= "9")) return this.number();
    if (this.s.startsWith("true", this.i)) return this.literal(4, true);
    if (this.s.startsWith("false", this.i)) return this.literal(5, false);
    if (this.s.startsWith("null", this.i)) return this.literal(4, null);
    return this.fail();
  }

  private literal<T>(length: number, value: T): T {
    this.i += length;
    return value;
  }

  private object(): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    this.i++;
    this.ws();
    if (this.s.charAt(this.i) === "}") {
      this.i++;
      return out;
    }
    for (;;) {
      this.ws();
      if (this.s.charAt(this.i) !== '"') this.fail();
      const key = this.string();
      this.ws();
      if (this.s.charAt(this.i) !== ":") this.fail();
      this.i++;
      Object.defineProperty(out, key, {
        value: this.value(),
        enumerable: true,
        writable: true,
        configurable: true,
      });
      this.ws();
      const c = this.s.charAt(this.i++);
      if (c === "}") return out;
      if (c !== ",") this.fail();
    }
  }

  private array(): unknown[] {
    const out: unknown[] = [];
    this.i++;
    this.ws();
    if (this.s.charAt(this.i) === "]") {
      this.i++;
      return out;
    }
    for (;;) {
      out.push(this.value());
      this.ws();
      const c = this.s.charAt(this.i++);
      if (c === "]") return out;
      if (c !== ",") this.fail();
    }
  }

  private string(): string {
    const start = this.i;
    this.i++;
    for (;;) {
      const c = this.s.charAt(this.i);
      if (c === "") this.fail();
      if (c === "\\") {
        this.i += 2;
        continue;
      }
      this.i++;
      if (c === '"') break;
    }
    return JSON.parse(this.s.slice(start, this.i)) as string;
  }

  private number(): number | bigint {
    const m = /^-?(?:0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?/.exec(this.s.slice(this.i, this.i + 400));
    if (!m) return this.fail();
    this.i += m[0].length;
    const n = Number(m[0]);
    if (m[1] === undefined && m[2] === undefined && !Number.isSafeInteger(n)) return BigInt(m[0]);
    return n;
  }

  private ws(): void {
    while (/[ \t\n\r]/.test(this.s.charAt(this.i))) this.i++;
  }

  private fail(): never {
    throw new SyntaxError(`invalid JSON in row data at offset ${this.i}`);
  }
}
