import { WhenClauseSyntaxError } from "../errors";
import { MAX_IDENTIFIER_LENGTH } from "../identifiers";
import type { CompareOp, Operand, WhenExpr } from "./ast";
import { describeToken, Lexer, type Token } from "./lexer";

/** The longest WHEN condition accepted, in characters. */
export const MAX_WHEN_LENGTH = 4000;
/** How deeply parentheses and NOTs may nest. */
export const MAX_WHEN_DEPTH = 64;
/** The most values an `IN (…)` list may hold. */
export const MAX_IN_LIST = 1000;

const KEYWORDS = new Set([
  "AND",
  "OR",
  "NOT",
  "IS",
  "NULL",
  "TRUE",
  "FALSE",
  "IN",
  "LIKE",
  "DISTINCT",
  "FROM",
  "NEW",
  "OLD",
]);

const COMPARE_OPS = new Set<string>(["=", "!=", "<", "<=", ">", ">="]);

const OPERAND = "NEW.<column>, OLD.<column> or a literal (string, number, TRUE, FALSE, NULL)";
const PREDICATE_OP = "a comparison (=, !=, <, <=, >, >=), IS, IN or LIKE";

/**
 * Parses a WHEN condition into its AST, or throws {@link WhenClauseSyntaxError} with the position,
 * what was expected there and what was found. The grammar:
 *
 * ```text
 * condition  := or
 * or         := and ("OR" and)*
 * and        := not ("AND" not)*
 * not        := "NOT" not | "(" or ")" | predicate
 * predicate  := operand ( ("=" | "!=" | "<" | "<=" | ">" | ">=") operand
 *                       | "IS" ["NOT"] "NULL"
 *                       | "IS" ["NOT"] "DISTINCT" "FROM" operand
 *                       | ["NOT"] "IN" "(" operand ("," operand)* ")"
 *                       | ["NOT"] "LIKE" string )
 * operand    := ("NEW" | "OLD") "." column | string | ["-"] number | "TRUE" | "FALSE" | "NULL"
 * ```
 *
 * Keywords are case-insensitive; strings use single quotes (`''` for a quote); nothing else — no
 * functions, no comments, no `;`, no quoted identifiers — is accepted.
 */
export function parseWhen(source: string): WhenExpr {
  if (source.length > MAX_WHEN_LENGTH) {
    throw new WhenClauseSyntaxError({
      position: MAX_WHEN_LENGTH,
      expected: `at most ${MAX_WHEN_LENGTH} characters`,
      found: `${source.length} characters`,
    });
  }
  return new Parser(source).parse();
}

class Parser {
  private readonly lexer: Lexer;
  private token: Token;
  private depth = 0;

  constructor(source: string) {
    this.lexer = new Lexer(source);
    this.token = this.lexer.next();
  }

  parse(): WhenExpr {
    if (this.token.kind === "eof") this.fail("a condition");
    const expr = this.parseOr();
    if (!this.atEnd()) {
      this.fail(this.depth === 0 ? "AND, OR or end of input" : "AND, OR or )");
    }
    return expr;
  }

  private parseOr(): WhenExpr {
    let left = this.parseAnd();
    while (this.isKeyword("OR")) {
      this.advance();
      const right = this.parseAnd();
      left = { kind: "or", left, right, position: left.position };
    }
    return left;
  }

  private parseAnd(): WhenExpr {
    let left = this.parseNot();
    while (this.isKeyword("AND")) {
      this.advance();
      const right = this.parseNot();
      left = { kind: "and", left, right, position: left.position };
    }
    return left;
  }

  private parseNot(): WhenExpr {
    if (this.isKeyword("NOT")) {
      const position = this.token.position;
      this.advance();
      this.enter();
      const operand = this.parseNot();
      this.depth--;
      return { kind: "not", operand, position };
    }
    if (this.isPunct("(")) {
      this.advance();
      this.enter();
      const inner = this.parseOr();
      if (!this.isPunct(")")) this.fail("AND, OR or )");
      this.advance();
      this.depth--;
      return inner;
    }
    return this.parsePredicate();
  }

  private parsePredicate(): WhenExpr {
    const left = this.parseOperand(`${OPERAND}, NOT or (`);
    const position = left.position;
    const t = this.token;

    if (t.kind === "op" && COMPARE_OPS.has(t.text)) {
      this.advance();
      const right = this.parseOperand(OPERAND);
      const op = t.text as CompareOp;
      if (left.kind === "null" || right.kind === "null") {
        const at = left.kind === "null" ? left.position : right.position;
        throw new WhenClauseSyntaxError({
          position: at,
          expected: "a value other than NULL",
          found: "NULL",
          detail: `WHEN condition: a comparison with NULL is never true (position ${at}); write IS NULL or IS NOT NULL instead`,
        });
      }
      return { kind: "compare", op, left, right, position };
    }

    if (this.isKeyword("IS")) {
      this.advance();
      let negated = false;
      if (this.isKeyword("NOT")) {
        negated = true;
        this.advance();
      }
      if (this.isKeyword("NULL")) {
        this.advance();
        return { kind: "is_null", negated, operand: left, position };
      }
      if (this.isKeyword("DISTINCT")) {
        this.advance();
        if (!this.isKeyword("FROM")) this.fail("FROM");
        this.advance();
        const right = this.parseOperand(OPERAND);
        return { kind: "distinct", negated, left, right, position };
      }
      this.fail(negated ? "NULL or DISTINCT FROM" : "NULL, NOT NULL, DISTINCT FROM or NOT DISTINCT FROM");
    }

    let negated = false;
    if (this.isKeyword("NOT")) {
      negated = true;
      this.advance();
      if (!this.isKeyword("IN") && !this.isKeyword("LIKE")) this.fail("IN or LIKE");
    }

    if (this.isKeyword("IN")) {
      this.advance();
      if (!this.isPunct("(")) this.fail("( to open the IN list");
      this.advance();
      const list: Operand[] = [this.parseOperand(OPERAND)];
      while (this.isPunct(",")) {
        this.advance();
        if (list.length >= MAX_IN_LIST) this.fail(`at most ${MAX_IN_LIST} values in an IN list`);
        list.push(this.parseOperand(OPERAND));
      }
      if (!this.isPunct(")")) this.fail(", or ) to close the IN list");
      this.advance();
      return { kind: "in", negated, operand: left, list, position };
    }

    if (this.isKeyword("LIKE")) {
      this.advance();
      const p = this.token;
      if (p.kind !== "string")
        this.fail("a string pattern (LIKE takes a quoted pattern such as '%@example.com')");
      checkLikePattern(p);
      this.advance();
      return { kind: "like", negated, operand: left, pattern: p.value, position };
    }

    return this.fail(PREDICATE_OP);
  }

  private parseOperand(expected: string): Operand {
    const t = this.token;
    const position = t.position;
    if (t.kind === "word") {
      const upper = t.text.toUpperCase();
      if (upper === "NEW" || upper === "OLD") {
        this.advance();
        if (!this.isPunct(".")) this.fail(`"." after ${upper} (as in ${upper}.column)`);
        this.advance();
        const name = this.token;
        if (name.kind !== "word") this.fail("a column name");
        if (name.text.length > MAX_IDENTIFIER_LENGTH) {
          throw new WhenClauseSyntaxError({
            position: name.position,
            expected: `a column name of at most ${MAX_IDENTIFIER_LENGTH} characters`,
            found: `a name of ${name.text.length} characters`,
          });
        }
        this.advance();
        return { kind: "column", row: upper, name: name.text, position };
      }
      if (upper === "TRUE" || upper === "FALSE") {
        this.advance();
        return { kind: "boolean", value: upper === "TRUE", position };
      }
      if (upper === "NULL") {
        this.advance();
        return { kind: "null", position };
      }
      if (!KEYWORDS.has(upper)) {
        throw new WhenClauseSyntaxError({
          position,
          expected,
          found: describeToken(t),
          detail: `WHEN condition: expected ${expected} at position ${position}, found "${t.text}" (write NEW.${t.text} or OLD.${t.text} to read a column)`,
        });
      }
      return this.fail(expected);
    }
    if (t.kind === "string") {
      this.advance();
      return { kind: "string", value: t.value, position };
    }
    if (t.kind === "number") {
      this.advance();
      return { kind: "number", text: t.text, position };
    }
    if (t.kind === "punct" && t.text === "-") {
      this.advance();
      const n = this.token;
      if (n.kind !== "number" || n.position !== t.end) this.fail("a number right after -");
      this.advance();
      return { kind: "number", text: `-${n.text}`, position };
    }
    return this.fail(expected);
  }

  private atEnd(): boolean {
    return this.token.kind === "eof";
  }

  private enter(): void {
    this.depth++;
    if (this.depth > MAX_WHEN_DEPTH) this.fail(`at most ${MAX_WHEN_DEPTH} levels of nesting`);
  }

  private advance(): void {
    this.token = this.lexer.next();
  }

  private isKeyword(word: string): boolean {
    return this.token.kind === "word" && this.token.text.toUpperCase() === word;
  }

  private isPunct(p: string): boolean {
    return this.token.kind === "punct" && this.token.text === p;
  }

  private fail(expected: string): never {
    throw new WhenClauseSyntaxError({
      position: this.token.position,
      expected,
      found: describeToken(this.token),
    });
  }
}

/** A LIKE pattern may not end with a lone escape character (Postgres would fail at run time). */
function checkLikePattern(token: Token): void {
  const p = token.value;
  let i = 0;
  while (i < p.length) {
    if (p.charAt(i) === "\\") {
      if (i === p.length - 1) {
        throw new WhenClauseSyntaxError({
          position: token.end - 2,
          expected: "a character after the escape \\ (write \\\\ for a backslash)",
          found: "the end of the pattern",
        });
      }
      i += 2;
    } else {
      i++;
    }
  }
}
