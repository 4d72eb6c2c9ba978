import { type IncomingHttpHeaders, request } from "node:http";
import type { AddressInfo } from "node:net";
import { serve } from "@hono/node-server";
import type { Hono } from "hono";

/** A Hono app served over real HTTP on an ephemeral port of 127.0.0.1 (as `main.ts` serves it). */
export async function listen(app: Hono): Promise<{ base: string; port: number; close(): Promise<void> }> {
  const server = serve({ fetch: app.fetch, port: 0, hostname: "127.0.0.1" });
  await new Promise<void>((resolve) => server.once("listening", () => resolve()));
  const port = (server.address() as AddressInfo).port;
  return {
    base: `http://127.0.0.1:${port}`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        (server as unknown as { closeAllConnections?: () => void }).closeAllConnections?.();
      }),
  };
}

/** What {@link sendPartially} saw come back. */
export interface PartialAnswer {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
  /** Body bytes the client had written when the answer's headers arrived. */
  bytesSent: number;
}

/**
 * Sends a request whose body is `chunks` — and then nothing more: the request is never ended, so
 * an answer proves the server answered without waiting for the rest (a declared `Content-Length`
 * larger than what was sent, or a chunked body that never finishes). Omit `content-length` in
 * `headers` for a chunked body.
 */
export function sendPartially(opts: {
  port: number;
  method: string;
  path: string;
  headers: Record<string, string>;
  chunks: Buffer[];
  /** End the request after the chunks (a complete body). */
  end?: boolean;
}): Promise<PartialAnswer> {
  return new Promise((resolve, reject) => {
    let answered = false;
    let bytesSent = 0;
    const req = request({
      host: "127.0.0.1",
      port: opts.port,
      method: opts.method,
      path: opts.path,
      headers: opts.headers,
      agent: false,
    });
    req.on("response", (res) => {
      answered = true;
      const sentWhenAnswered = bytesSent;
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => {
        body += chunk;
      });
      res.on("end", () => {
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body, bytesSent: sentWhenAnswered });
        req.destroy();
      });
    });
    // Once the server has answered and closed, further writes fail (EPIPE, ECONNRESET): expected.
    req.on("error", (error) => {
      if (!answered) reject(error);
    });
    const write = async () => {
      for (const chunk of opts.chunks) {
        if (answered || req.destroyed) return;
        bytesSent += chunk.length;
        if (!req.write(chunk)) await new Promise<void>((r) => req.once("drain", () => r()));
      }
      if (opts.end) req.end();
      else req.flushHeaders();
    };
    write().catch(() => {});
  });
}

/** `size` bytes of `fill`, cut into chunks of `chunk` bytes. */
export function chunksOf(size: number, chunk = 16 * 1024, fill = "x"): Buffer[] {
  const out: Buffer[] = [];
  for (let at = 0; at < size; at += chunk) out.push(Buffer.alloc(Math.min(chunk, size - at), fill));
  return out;
}
