/** Where a refused post-login path falls back to. */
export const DEFAULT_POST_LOGIN_PATH = "/";

/** Longest post-login path followed; longer ones fall back to `/`. */
export const MAX_POST_LOGIN_PATH_LENGTH = 2048;

const PROBE_ORIGIN = "http://guildkit.invalid";
// Control characters and backslashes: browsers strip tabs and newlines, and read "\" as "/".
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
const FORBIDDEN = /[\u0000-\u001f\u007f\\]/;
const PERCENT_BYTE = /%([0-9a-fA-F]{2})/g;

/**
 * The post-login path policy: returns `path` when it is a same-origin relative path, and `/` otherwise.
 *
 * Followed: `/dashboard?x=1`, `/a/b#c`. Refused (→ `/`): anything not starting with a single `/`
 * (`https://evil.test`, `javascript:…`, `dashboard`), protocol-relative `//evil.test`, backslash tricks
 * (`/\evil.test`), control characters (browsers drop tabs and newlines, so `/\t/evil.test` would become
 * `//evil.test`), dot segments that resolve to `//…` (`/a/..//evil.test`), encoded tricks that decode to
 * any of those (`/%2F%2Fevil.test`, `/%5Cevil.test`, `/%09/evil.test`; each percent-decoding is checked
 * in turn, and more than three layers of encoding fall back too), and paths over 2,048 characters.
 *
 * The path returned is the normalised `pathname + search + hash` (dot segments resolved).
 */
export function safeRedirectPath(path: unknown): string {
  if (typeof path !== "string" || path.length === 0 || path.length > MAX_POST_LOGIN_PATH_LENGTH) {
    return DEFAULT_POST_LOGIN_PATH;
  }
  const normalised = normaliseRelativePath(path);
  if (normalised === null) return DEFAULT_POST_LOGIN_PATH;
  // Check every percent-decoding too, so nothing that a lenient server would decode into a trick passes.
  let layer = path;
  for (let depth = 0; ; depth++) {
    const decoded = percentDecodeBytes(layer);
    if (decoded === layer) break;
    if (depth === 3 || normaliseRelativePath(decoded) === null) return DEFAULT_POST_LOGIN_PATH;
    layer = decoded;
  }
  return normalised;
}

/** `pathname + search + hash` of a safe relative path, or `null` when it is not one. */
function normaliseRelativePath(value: string): string | null {
  if (!isPlainRelativePath(value)) return null;
  let url: URL;
  try {
    url = new URL(value, PROBE_ORIGIN);
  } catch {
    return null;
  }
  if (url.origin !== PROBE_ORIGIN) return null;
  const normalised = url.pathname + url.search + url.hash;
  return isPlainRelativePath(normalised) ? normalised : null;
}

function isPlainRelativePath(value: string): boolean {
  return value.startsWith("/") && !value.startsWith("//") && !FORBIDDEN.test(value);
}

/** Decodes every valid `%XX` byte, leaving anything else as written (as the most lenient server would). */
function percentDecodeBytes(value: string): string {
  return value.replace(PERCENT_BYTE, (_match, hex: string) => String.fromCharCode(Number.parseInt(hex, 16)));
}
