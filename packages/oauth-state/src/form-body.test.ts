import { describe, expect, it } from "vitest";
import { harness } from "../test/fakes";
import { RequestBodyTooLargeError } from "./errors";
import type { OAuthFlows } from "./flows";
import { MAX_FORM_BYTES, readFormField } from "./form-body";
import { createOAuthWebHandlers } from "./web-handlers";

/** A chunked body of `total` bytes (`a=aaaa…`) that counts how many bytes were pulled from it. */
function countingBody(total: number, chunk = 64 * 1024) {
  let sent = 0;
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (sent >= total) return controller.close();
      const size = Math.min(chunk, total - sent);
      const bytes = new Uint8Array(size).fill(0x61);
      if (sent === 0) bytes.set(new TextEncoder().encode("a="));
      sent += size;
      controller.enqueue(bytes);
    },
  });
  return { stream, pulled: () => sent };
}

const TEN_MB = 10 * 1024 * 1024;
const FORM = { "content-type": "application/x-www-form-urlencoded" };

describe("confirmation forms are read up to 16 KiB", () => {
  it("refuses a 10 MB chunked body with 413 after reading at most one chunk past the limit", async () => {
    const body = countingBody(TEN_MB);
    const request = new Request("http://app.test/login/discord/confirm", {
      method: "POST",
      headers: FORM,
      body: body.stream,
      duplex: "half",
    } as RequestInit);
    const error = await readFormField(request, "signup_token", {
      limitBytes: MAX_FORM_BYTES,
      flow: "signup",
    }).then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(RequestBodyTooLargeError);
    expect(error).toMatchObject({ code: "body_too_large", limitBytes: 16_384 });
    expect(body.pulled()).toBeLessThan(256 * 1024);
  });

  it("refuses a declared Content-Length over the limit before reading anything", async () => {
    const body = countingBody(TEN_MB);
    const request = new Request("http://app.test/login/discord/confirm", {
      method: "POST",
      headers: { ...FORM, "content-length": String(TEN_MB) },
      body: body.stream,
      duplex: "half",
    } as RequestInit);
    await expect(
      readFormField(request, "x", { limitBytes: MAX_FORM_BYTES, flow: "signup" }),
    ).rejects.toBeInstanceOf(RequestBodyTooLargeError);
    expect(body.pulled()).toBeLessThanOrEqual(64 * 1024);
  });

  it("reads a field of a form under the limit, and nothing of another content type", async () => {
    const post = (body: string, headers: Record<string, string> = FORM) =>
      new Request("http://app.test/x", { method: "POST", headers, body });
    const limit = { limitBytes: MAX_FORM_BYTES, flow: "signup" } as const;
    expect(await readFormField(post("signup_token=abc&x=1"), "signup_token", limit)).toBe("abc");
    expect(
      await readFormField(post("signup_token=abc", { "content-type": "text/plain" }), "signup_token", limit),
    ).toBeNull();
    expect(await readFormField(new Request("http://app.test/x"), "signup_token", limit)).toBeNull();
    expect(
      await readFormField(post(`signup_token=${"a".repeat(16_384)}`), "signup_token", limit).catch((e) => e),
    ).toBeInstanceOf(RequestBodyTooLargeError);
  });

  it("the confirm handler answers 413 to a 10 MB body and writes nothing", async () => {
    const h = harness({ withSignupHook: true });
    const handlers = createOAuthWebHandlers({
      flows: h.flows as unknown as OAuthFlows<Response>,
      currentMemberId: async () => null,
      secureCookies: false,
    });
    const body = countingBody(TEN_MB);
    const response = await handlers.confirmSignup(
      new Request("http://app.test/login/discord/confirm", {
        method: "POST",
        headers: FORM,
        body: body.stream,
        duplex: "half",
      } as RequestInit),
    );
    expect(response.status).toBe(413);
    expect(await response.text()).toContain('data-code="body_too_large"');
    expect(response.headers.get("cache-control")).toBe("no-store");
    expect(body.pulled()).toBeLessThan(256 * 1024);
    expect(h.members.writes).toEqual([]);
  });
});
