import type { Environment } from "./process-settings";

/** Records one problem with one variable (the message never echoes a secret value). */
export type Problem = (variable: string, message: string) => void;

const BODY_LIMIT_RANGE = [1024, 64 * 1024 * 1024] as const;

/** A TCP port number from 0 to 65535 (0 picks a free port). */
export function parsePort(variable: string, text: string, problem: Problem): number {
  const port = /^\d+$/.test(text) ? Number(text) : Number.NaN;
  if (!(port >= 0 && port <= 65535)) {
    problem(
      variable,
      `${variable} must be a TCP port number from 0 to 65535, e.g. ${variable}=${variable === "PORT" ? 3000 : 9464} (got "${text}")`,
    );
  }
  return port;
}

/** A body size limit in bytes, from 1 KiB to 64 MiB. */
export function parseByteLimit(
  variable: string,
  text: string | null,
  fallback: number,
  problem: Problem,
): number {
  if (text === null) return fallback;
  const bytes = /^\d+$/.test(text) ? Number(text) : Number.NaN;
  if (!(bytes >= BODY_LIMIT_RANGE[0] && bytes <= BODY_LIMIT_RANGE[1])) {
    problem(
      variable,
      `${variable} must be a size in bytes from ${BODY_LIMIT_RANGE[0]} to ${BODY_LIMIT_RANGE[1]}, e.g. ${variable}=${fallback} (got "${text}")`,
    );
  }
  return bytes;
}

/** `NODE_ENV`: production, development or test; unset is development. */
export function parseEnvironment(value: string | null, problem: Problem): Environment {
  if (value === null) return "development";
  const lower = value.toLowerCase();
  if (lower === "production" || lower === "development" || lower === "test") return lower;
  problem(
    "NODE_ENV",
    `NODE_ENV must be production, development or test, e.g. NODE_ENV=production (got "${value}")`,
  );
  return "development";
}

/** An http(s) URL without query, fragment or credentials, its trailing slashes dropped; `fallback` when unset. */
export function parseHttpUrl(
  name: string,
  value: string | null,
  fallback: string | null,
  problem: Problem,
  options: { example: string; required?: boolean },
): string | null {
  if (value === null) {
    if (options.required) {
      problem(name, `${name} is not set: give an http(s) URL, e.g. ${name}=${options.example}`);
    }
    return fallback;
  }
  if (!/^https?:\/\//i.test(value) || !canParseUrl(value)) {
    problem(
      name,
      `${name} must be an http:// or https:// URL, e.g. ${name}=${options.example}`, // the value is not echoed: a URL can carry a token
    );
    return null;
  }
  const url = new URL(value);
  if (url.search !== "" || url.hash !== "") {
    problem(name, `${name} must not have a query or fragment, e.g. ${name}=${options.example}`);
    return null;
  }
  if (url.username !== "" || url.password !== "") {
    problem(name, `${name} must not contain credentials, e.g. ${name}=${options.example}`);
    return null;
  }
  return url.toString().replace(/\/+$/, "");
}

export function canParseUrl(value: string): boolean {
  try {
    new URL(value);
    return true;
  } catch {
    return false;
  }
}
