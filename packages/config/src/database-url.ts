import type { DatabaseSettings } from "./process-settings";
import { canParseUrl, type Problem } from "./setting-values";

/**
 * `DATABASE_URL`: a PostgreSQL URL (`postgres://`, `postgresql://`), a SQLite `file:` or `sqlite:` URL,
 * or a plain SQLite path (`:memory:` included). Another scheme, or no value, is a problem.
 */
export function parseDatabase(value: string | null, problem: Problem): DatabaseSettings | null {
  const example =
    "e.g. DATABASE_URL=postgres://guildkit@127.0.0.1:5432/guildkit or DATABASE_URL=./data/guildkit.sqlite";
  if (value === null) {
    problem(
      "DATABASE_URL",
      `DATABASE_URL is not set: give a PostgreSQL URL or a SQLite file path, ${example}`,
    );
    return null;
  }
  if (/^postgres(ql)?:\/\//i.test(value)) {
    if (!/^postgres(ql)?:\/\/[^\s]*$/i.test(value) || !canParseUrl(value)) {
      problem("DATABASE_URL", `DATABASE_URL is not a valid PostgreSQL URL (value not shown), ${example}`);
      return null;
    }
    return { kind: "postgres", url: value };
  }
  if (/^file:/i.test(value)) {
    const rest = value.slice("file:".length);
    let path = rest.startsWith("//") ? rest.slice(2) : rest;
    if (path.startsWith("localhost/")) path = path.slice("localhost".length);
    path = safeDecode(path.split("?")[0] ?? "");
    if (path === "") {
      problem(
        "DATABASE_URL",
        `DATABASE_URL is a file: URL without a path, e.g. DATABASE_URL=file:./data/guildkit.sqlite`,
      );
      return null;
    }
    return { kind: "sqlite", path };
  }
  if (/^sqlite:/i.test(value)) {
    const path = value.slice("sqlite:".length).replace(/^\/\//, "");
    if (path === "") {
      problem(
        "DATABASE_URL",
        `DATABASE_URL is a sqlite: URL without a path, e.g. DATABASE_URL=sqlite:./data/guildkit.sqlite`,
      );
      return null;
    }
    return { kind: "sqlite", path };
  }
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(value);
  if (scheme) {
    problem(
      "DATABASE_URL",
      `DATABASE_URL uses the unsupported scheme "${scheme[1]}": only PostgreSQL URLs and SQLite paths work, ${example}`,
    );
    return null;
  }
  return { kind: "sqlite", path: value };
}

function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}
