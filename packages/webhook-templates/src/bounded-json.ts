/**
 * The first `maxLength` characters of `stringifyRowJson(value)` (JSON with exact `bigint`s),
 * computed without serialising the rest: work and memory grow with `maxLength`, not with the
 * value, and the walk keeps its own stack, so a value nested 100,000 levels deep neither takes
 * long nor overflows the call stack. For values without cycles the result is exactly
 * `stringifyRowJson(value).slice(0, maxLength)`; a cycle just fills the budget.
 */
export function stringifyRowJsonHead(value: unknown, maxLength: number): string {
  const writer = new HeadWriter(maxLength);
  writer.write(value);
  return writer.result();
}

type Frame =
  | { kind: "array"; items: readonly unknown[]; next: number }
  | { kind: "object"; source: Record<string, unknown>; keys: string[]; next: number; wrote: boolean };

const SKIP = Symbol("skip");

class HeadWriter {
  private out = "";
  private readonly stack: Frame[] = [];

  constructor(private readonly maxLength: number) {}

  write(value: unknown): void {
    const top = prepare(value, "");
    if (top === SKIP) return;
    this.emit(top);
    while (this.stack.length > 0 && this.out.length < this.maxLength) this.step();
  }

  result(): string {
    return this.out.length > this.maxLength ? this.out.slice(0, this.maxLength) : this.out;
  }

  private step(): void {
    const frame = this.stack[this.stack.length - 1] as Frame;
    if (frame.kind === "array") {
      if (frame.next >= frame.items.length) {
        this.out += "]";
        this.stack.pop();
        return;
      }
      const index = frame.next++;
      if (index > 0) this.out += ",";
      const item = prepare(frame.items[index], String(index));
      this.emit(item === SKIP ? null : item);
      return;
    }
    if (frame.next >= frame.keys.length) {
      this.out += "}";
      this.stack.pop();
      return;
    }
    const key = frame.keys[frame.next++] as string;
    const item = prepare(frame.source[key], key);
    if (item === SKIP) return;
    if (frame.wrote) this.out += ",";
    frame.wrote = true;
    this.string(key);
    this.out += ":";
    this.emit(item);
  }

  private emit(value: unknown): void {
    if (value === null) this.out += "null";
    else if (typeof value === "boolean") this.out += value ? "true" : "false";
    else if (typeof value === "number") this.out += Number.isFinite(value) ? String(value) : "null";
    else if (typeof value === "bigint") this.out += value.toString();
    else if (typeof value === "string") this.string(value);
    else if (Array.isArray(value)) {
      this.out += "[";
      this.stack.push({ kind: "array", items: value, next: 0 });
    } else {
      this.out += "{";
      const source = value as Record<string, unknown>;
      this.stack.push({ kind: "object", source, keys: Object.keys(source), next: 0, wrote: false });
    }
  }

  /** A JSON string, escaping only as much of `text` as can still show. */
  private string(text: string): void {
    const room = this.maxLength - this.out.length;
    // One more character than fits: a surrogate pair cut at the slice end is escaped differently,
    // but only past the budget (every source character writes at least one).
    this.out += JSON.stringify(text.length > room + 1 ? text.slice(0, room + 1) : text);
  }
}

/** What `JSON.stringify` serialises for a value under `key`: `toJSON` applied, boxes unwrapped. */
function prepare(value: unknown, key: string): unknown {
  let v = value;
  if (typeof v === "object" && v !== null && typeof (v as { toJSON?: unknown }).toJSON === "function") {
    v = (v as { toJSON(key: string): unknown }).toJSON(key);
  }
  if (v instanceof Number || v instanceof String || v instanceof Boolean) v = v.valueOf();
  if (v === undefined || typeof v === "function" || typeof v === "symbol") return SKIP;
  return v;
}
