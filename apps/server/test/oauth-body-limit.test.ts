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
  it.each([
    ["chunked", false],
    ["with Content-Length", true],
  ])(
    "answers 413 to a 10 MB body sent %s, before the body was sent in full, writing nothing",
    async (_how, declareLength) => {
      world = await servedWorld();
      const answer = await postLargeForm(world.base, "/login/discord/confirm", {
        total: TEN_MB,
        declareLength,
      });
      expect(answer.status).toBe(413);
      expect(answer.body).toContain("larger than this page accepts");
      expect(answer.sentWhenAnswered).toBeLessThan(TEN_MB);
      expect(await world.db.selectFrom("members").select("id").execute()).toEqual([]);
      const refusals = await world.db.selectFrom("event_log").select("kind").execute();
      expect(refusals).toEqual([]);
    },
  );
});
