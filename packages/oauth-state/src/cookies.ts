/** The headers of a request, as `Request` (and most frameworks' request objects) expose them. */
export interface RequestHeaders {
  headers: { get(name: string): string | null };
}

/**
 * The value of cookie `name` in a request, or `null` — also when the request carries two cookies of that
 * name (one may have been planted for another path or domain: ambiguous, so neither is trusted).
 */
export function readCookie(request: RequestHeaders, name: string): string | null {
  const header = request.headers.get("cookie");
  if (header === null) return null;
  let value: string | null = null;
  for (const part of header.split(";")) {
    const index = part.indexOf("=");
    if (index === -1 || part.slice(0, index).trim() !== name) continue;
    if (value !== null) return null;
    value = part.slice(index + 1).trim();
  }
  return value;
}

/**
 * A `Set-Cookie` value with the attributes every guildkit cookie has: `Path=/; HttpOnly; SameSite=Lax`,
 * plus `Secure` when asked (the caller names the cookie `__Host-…` then). `maxAge` 0 clears it.
 */
export function setCookie(name: string, value: string, options: { maxAge: number; secure: boolean }): string {
  return `${name}=${value}; Path=/; Max-Age=${options.maxAge}; HttpOnly; SameSite=Lax${options.secure ? "; Secure" : ""}`;
}

/** A cookie name with the `__Host-` prefix when cookies are `Secure` (no `Domain`, `Path=/`). */
export function hostCookieName(name: string, secure: boolean): string {
  return `${secure ? "__Host-" : ""}${name}`;
}
