/**
 * The hand-written lexer of the WHEN grammar. It never throws: a character outside the grammar
 * becomes an `invalid` token, and the parser reports it with what it expected at that point.
 */

/** Token kinds. */
export type TokenKind = "word" | "number" | "string" | "op" | "punct" | "eof" | "invalid";

/** One token. `position`/`end` are 0-based offsets (UTF-16 code units) into the source. */
export interface Token {
  kind: TokenKind;
  /** The source text of the token (for `string`, with its quotes). */
  text: string;
  /** For `string`: the unescaped value. For `invalid`: a description of the problem. */
  value: string;
  position: number;
  end: number;
}

const WORD_START = /[A-Za-z_]/;
const WORD_PART = /[A-Za-z0-9_]/;
const DIGIT = /[0-9]/;
const NUMBER = /^[0-9]+(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/;

/** Describes a token for an error message (`";"`, `keyword DROP`, `end of input`). */
export function describeToken(token: Token): string {
  switch (token.kind) {
    case "eof":
      return "end of input";
    case "invalid":
      return token.value;
    case "string":
      return `string ${token.text.length > 30 ? `${token.text.slice(0, 27)}...` : token.text}`;
    case "number":
      return `number ${token.text}`;
    case "word":
      return `"${token.text}"`;
    default:
      return `"${token.text}"`;
  }
}

/** Splits a WHEN condition into tokens on demand. */
export class Lexer {
  private offset = 0;

  constructor(private readonly source: string) {}

  /** Reads the next token; after the end, keeps returning `eof`. */
  next(): Token {
    const s = this.source;
    while (this.offset < s.length && isSpace(s.charCodeAt(this.offset))) this.offset++;
    const start = this.offset;
    if (start >= s.length) return { kind: "eof", text: "", value: "", position: start, end: start };
    const ch = s.charAt(start);

    if (WORD_START.test(ch)) {
      let end = start + 1;
      while (end < s.length && WORD_PART.test(s.charAt(end))) end++;
      return this.take("word", start, end);
    }
    if (DIGIT.test(ch)) {
      const match = NUMBER.exec(s.slice(start, start + 400));
      const end = start + (match?.[0].length ?? 1);
      if (end < s.length && (WORD_PART.test(s.charAt(end)) || s.charAt(end) === ".")) {
        let bad = end;
        while (bad < s.length && (WORD_PART.test(s.charAt(bad)) || s.charAt(bad) === ".")) bad++;
        return this.invalid(start, bad, `malformed number "${s.slice(start, bad)}"`);
      }
      return this.take("number", start, end);
    }
    if (ch === "'") return this.string(start);

    const two = s.slice(start, start + 2);
    if (two === "--") return this.invalid(start, start + 2, `"--" (comments are not allowed)`);
    if (two === "/*") return this.invalid(start, start + 2, `"/*" (comments are not allowed)`);
    if (two === "<=" || two === ">=" || two === "!=") return this.take("op", start, start + 2);
    if (two === "<>") return this.invalid(start, start + 2, `"<>" (write != for "not equal")`);
    if (two === "==") return this.invalid(start, start + 2, `"==" (write = for "equal")`);
    if (ch === "=" || ch === "<" || ch === ">") return this.take("op", start, start + 1);
    if (ch === "(" || ch === ")" || ch === "," || ch === "." || ch === "-") {
      return this.take("punct", start, start + 1);
    }
    if (ch === '"' || ch === "`" || ch === "[") {
      return this.invalid(start, start + 1, `${JSON.stringify(ch)} (quoted identifiers are not allowed)`);
    }
    if (ch === ";") return this.invalid(start, start + 1, `";" (only one condition is allowed)`);
    const cp = s.codePointAt(start) ?? 0;
    const width = cp > 0xffff ? 2 : 1;
    const shown =
      cp < 0x20 || cp === 0x7f || cp > 0x7e ? `U+${cp.toString(16).toUpperCase().padStart(4, "0")}` : "";
    return this.invalid(
      start,
      start + width,
      `unexpected character ${JSON.stringify(s.slice(start, start + width))}${shown ? ` (${shown})` : ""}`,
    );
  }

  private string(start: number): Token {
    const s = this.source;
    let value = "";
    let i = start + 1;
    for (;;) {
      if (i >= s.length) return this.invalid(start, s.length, "an unterminated string (missing closing ')");
      const code = s.charCodeAt(i);
      if (code === 0x27) {
        if (s.charCodeAt(i + 1) === 0x27) {
          value += "'";
          i += 2;
          continue;
        }
        break;
      }
      if (code === 0) return this.invalid(start, i + 1, "a NUL character inside a string");
      if (code >= 0xd800 && code <= 0xdbff) {
        const low = s.charCodeAt(i + 1);
        if (!(low >= 0xdc00 && low <= 0xdfff)) {
          return this.invalid(start, i + 1, "an invalid Unicode character (lone surrogate) inside a string");
        }
        value += s.slice(i, i + 2);
        i += 2;
        continue;
      }
      if (code >= 0xdc00 && code <= 0xdfff) {
        return this.invalid(start, i + 1, "an invalid Unicode character (lone surrogate) inside a string");
      }
      value += s.charAt(i);
      i++;
    }
    const token: Token = { kind: "string", text: s.slice(start, i + 1), value, position: start, end: i + 1 };
    this.offset = i + 1;
    return token;
  }

  private take(kind: TokenKind, start: number, end: number): Token {
    this.offset = end;
    const text = this.source.slice(start, end);
    return { kind, text, value: text, position: start, end };
  }

  private invalid(start: number, end: number, description: string): Token {
    this.offset = end;
    return { kind: "invalid", text: this.source.slice(start, end), value: description, position: start, end };
  }
}

function isSpace(code: number): boolean {
  return code === 0x20 || code === 0x09 || code === 0x0a || code === 0x0d;
}
