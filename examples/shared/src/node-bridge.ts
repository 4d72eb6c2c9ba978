import type { IncomingMessage, ServerResponse } from "node:http";
import { Readable } from "node:stream";

/**
 * A Node request (Express's `req`, Fastify's `request.raw`) as a web `Request`. The URL is built on
 * `origin` — your configured public URL — never on the `Host` header a client sends. The body is
 * streamed, not read, so the handlers' own size limits apply.
 */
export function toWebRequest(req: IncomingMessage, origin: string): Request {
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) {
    for (const item of Array.isArray(value) ? value : value === undefined ? [] : [value]) {
      headers.append(name, item);
    }
  }
  const method = req.method ?? "GET";
  const body = method === "GET" || method === "HEAD" ? null : (Readable.toWeb(req) as ReadableStream);
  const init: RequestInit & { duplex: "half" } = { method, headers, body, duplex: "half" };
  return new Request(new URL(req.url ?? "/", origin), init);
}

/** Writes a web `Response` to a Node response (every `Set-Cookie` kept apart). */
export async function sendWebResponse(res: ServerResponse, response: Response): Promise<void> {
  const headers: Record<string, string | string[]> = {};
  response.headers.forEach((value, name) => {
    if (name !== "set-cookie") headers[name] = value;
  });
  const cookies = response.headers.getSetCookie();
  if (cookies.length > 0) headers["set-cookie"] = cookies;
  res.writeHead(response.status, headers);
  res.end(Buffer.from(await response.arrayBuffer()));
}
