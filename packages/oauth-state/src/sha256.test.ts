import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { hmacSha256Key, sha256, utf8 } from "./sha256";

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString("hex");
const fromHex = (text: string) => new Uint8Array(Buffer.from(text, "hex"));

describe("sha256 / hmacSha256Key", () => {
  it.each([
    ["", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"],
    ["abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"],
    [
      "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
      "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1",
    ],
  ])("hashes %j to the FIPS 180-4 digest", (input, digest) => {
    expect(hex(sha256(utf8(input)))).toBe(digest);
  });

  it("computes the RFC 4231 HMAC-SHA-256 test cases 1, 2 and 6 (a key longer than a block)", () => {
    expect(hex(hmacSha256Key(fromHex("0b".repeat(20))).sign(utf8("Hi There")))).toBe(
      "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7",
    );
    expect(hex(hmacSha256Key(utf8("Jefe")).sign(utf8("what do ya want for nothing?")))).toBe(
      "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843",
    );
    expect(
      hex(
        hmacSha256Key(fromHex("aa".repeat(131))).sign(
          utf8("Test Using Larger Than Block-Size Key - Hash Key First"),
        ),
      ),
    ).toBe("60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
  });

  it("agrees with Web Crypto on any input and key", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.uint8Array({ maxLength: 300 }),
        fc.uint8Array({ maxLength: 100 }),
        async (message, key) => {
          const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", message));
          expect(hex(sha256(message))).toBe(hex(digest));
          if (key.length === 0) return;
          const cryptoKey = await crypto.subtle.importKey(
            "raw",
            key,
            { name: "HMAC", hash: "SHA-256" },
            false,
            ["sign"],
          );
          const mac = new Uint8Array(await crypto.subtle.sign("HMAC", cryptoKey, message));
          expect(hex(hmacSha256Key(key).sign(message))).toBe(hex(mac));
        },
      ),
      { numRuns: 300 },
    );
  });
});
