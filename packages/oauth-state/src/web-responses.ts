import { IdentityProviderError, type OAuthFlowError } from "./errors";

/** The HTTP status a flow error maps to. */
export function statusOf(error: OAuthFlowError): number {
  switch (error.code) {
    case "identity_provider_failed":
      return (error as IdentityProviderError).reason === "timeout" ? 504 : 502;
    case "email_unverified":
      return 403;
    case "account_link_conflict":
      return 409;
    case "member_not_found":
    case "session_required":
      return 401;
    case "oauth_not_configured":
      return 503;
    case "body_too_large":
      return 413;
    default:
      return error instanceof IdentityProviderError ? 502 : 400;
  }
}

/** A query parameter of a URL without building a `URL` (the start routes are hot). */
export function queryParam(url: string, name: string): string | null {
  const start = url.indexOf("?");
  if (start === -1) return null;
  const end = url.indexOf("#", start);
  return new URLSearchParams(url.slice(start + 1, end === -1 ? undefined : end)).get(name);
}

const HARDENING: ReadonlyArray<[string, string]> = [
  ["cache-control", "no-store"],
  ["referrer-policy", "no-referrer"],
];

export function redirect(location: string, status: number, cookie: string | null): Response {
  // Built once, headers as a plain record and an empty string body: adapters such as
  // @hono/node-server then write it without building a full Fetch Response (the hot path).
  const headers: Record<string, string> = { location };
  for (const [name, value] of HARDENING) headers[name] = value;
  if (cookie !== null) headers["set-cookie"] = cookie;
  return new Response("", { status, headers });
}

/** Adds the hardening headers, and `cookie` as one more `Set-Cookie` when given. */
export function harden(response: Response, cookie: string | null = null): Response {
  const apply = (headers: Headers) => {
    for (const [name, value] of HARDENING) headers.set(name, value);
    if (cookie !== null) headers.append("set-cookie", cookie);
  };
  try {
    apply(response.headers);
    return response;
  } catch {
    // Immutable headers (e.g. `Response.redirect`): copy once.
    const copy = new Response(response.body, response);
    apply(copy.headers);
    return copy;
  }
}
