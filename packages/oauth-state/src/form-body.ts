import { type OAuthFlow, RequestBodyTooLargeError } from "./errors";

/** The largest form the OAuth routes read by default: 16 KiB (a confirmation form is under 2 KiB). */
export const MAX_FORM_BYTES = 16 * 1024;

/**
 * One field of a `POST`ed `application/x-www-form-urlencoded` form, or `null` (another method, another
 * content type, no body, no such field). Reads at most `limitBytes`: a larger `Content-Length` is
 * refused before anything is read, and a body without one (chunked) is read as a stream and cancelled
 * as soon as it passes the limit — a 10 MB body is never read in full.
 *
 * @throws RequestBodyTooLargeError (413)
 */
export async function readFormField(
  request: Request,
  field: string,
  options: { limitBytes: number; flow: OAuthFlow },
): Promise<string | null> {
  if (request.method !== "POST") return null;
  const tooLarge = () => new RequestBodyTooLargeError({ flow: options.flow, limitBytes: options.limitBytes });
  const length = request.headers.get("content-length");
  if (length !== null && !(/^\d{1,15}$/.test(length.trim()) && Number(length) <= options.limitBytes)) {
    throw tooLarge();
  }
  const type = (request.headers.get("content-type") ?? "").split(";")[0]?.trim().toLowerCase();
  if (type !== "application/x-www-form-urlencoded" || request.body === null) {
    await request.body?.cancel().catch(() => {});
    return null;
  }
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > options.limitBytes) {
      await reader.cancel().catch(() => {});
      throw tooLarge();
    }
    chunks.push(value);
  }
  const bytes = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return new URLSearchParams(new TextDecoder().decode(bytes)).get(field);
}
