import { request as httpRequest } from "node:http";
import { afterEach, describe, expect, it } from "vitest";
import { servedWorld } from "./oauth-helpers";

type World = Awaited<ReturnType<typeof servedWorld>>;
let world: World | null = null;
afterEach(async () => {
  await world?.close();
  world = null;
});

const TEN_MB = 10 * 1024 * 1024;

/**
 * POSTs a `total`-byte form to `path` as fast as the socket takes it (chunked, or with a declared
 * `Content-Length`), and resolves the answer with how many bytes had been sent when it arrived.
 */
function postLargeForm(
  base: string,
  path: string,
  options: { total: number; declareLength: boolean },
): Promise<{ status: number; body: string; sentWhenAnswered: number }> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = {
      "content-type": "application/x-www-form-urlencoded",
      origin: base,
    };
    if (options.declareLength) headers["content-length"] = String(options.total);
    const req = httpRequest(new URL(path, base), { method: "POST", headers });
    let sent = 0;
    let answered = false;
    req.on("response", (res) => {
      answered = true;
      const sentWhenAnswered = sent;
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => {
        body += chunk;
      });
      res.on("end", () => {
        resolve({ status: res.statusCode ?? 0, body, sentWhenAnswered });
        req.destroy();
      });
    });
    req.on("error", (error) => {
      if (!answered) reject(error);
    });
    const chunk = Buffer.alloc(64 * 1024, 0x61);
    chunk.write("signup_token=");
    const pump = () => {
      while (!answered && sent < options.total) {
        const room = req.write(chunk);
        sent += chunk.length;
        if (!room) return void req.once("drain", pump);
      }
      if (!answered) req.end();
    };
    pump();
  });
}

describe("POST /login/discord/confirm (unauthenticated) does not read a 10 MB form", () => {
  // The server's BODY_LIMIT_FORM answers first by default; with it raised, the oauth-state handler's
  // own 16 KiB cap must still refuse a declared length (a host mounting the handlers without a
  // server-wide limit). Chunked bodies past a raised server limit are buffered by hono's bodyLimit
  // before the handler runs, so the handler's capped streaming read is covered by form-body.test.ts.
  it.each([
    { how: "chunked", declareLength: false, layer: "server", message: /payload_too_large/ },
    { how: "with Content-Length", declareLength: true, layer: "server", message: /payload_too_large/ },
    {
      how: "with Content-Length",
      declareLength: true,
      layer: "handler",
      message: /larger than this page accepts/,
    },
  ] as const)(
    "answers 413 to a 10 MB body sent $how (refused by the $layer limit), before the body was sent in full, writing nothing",
    async ({ declareLength, layer, message }) => {
      world = await servedWorld(
        layer === "handler" ? { settings: { bodyLimits: { json: 262_144, form: 64 * 1024 * 1024 } } } : {},
      );
      const answer = await postLargeForm(world.base, "/login/discord/confirm", {
        total: TEN_MB,
        declareLength,
      });
      expect(answer.status).toBe(413);
      expect(answer.body).toMatch(message);
      expect(answer.sentWhenAnswered).toBeLessThan(TEN_MB);
      expect(await world.db.selectFrom("members").select("id").execute()).toEqual([]);
      const refusals = await world.db.selectFrom("event_log").select("kind").execute();
      expect(refusals).toEqual([]);
    },
  );
});
