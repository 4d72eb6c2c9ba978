import type { RequestHeaders } from "./cookies";

/**
 * Whether a state-changing request (a form `POST` such as sign-out) comes from the site's own pages:
 * `Origin` equals `origin`, or — when a browser sent no `Origin` — `Sec-Fetch-Site` says
 * `same-origin`. Anything else (another site, `Origin: null`, neither header) is refused: a CSRF
 * defence that needs no token.
 */
export function isSameOrigin(request: RequestHeaders, origin: string): boolean {
  const from = request.headers.get("origin");
  if (from !== null) return from === origin;
  return request.headers.get("sec-fetch-site") === "same-origin";
}
