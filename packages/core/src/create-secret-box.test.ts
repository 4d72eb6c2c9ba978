import { randomBytes } from "node:crypto";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { createSecretBox } from "./create-secret-box";
import { isSealedSecret, parseSealedSecret, SecretBoxError, sealedKeyId } from "./secret-box";

const KEY_A = Buffer.alloc(32, 1);
const KEY_B = Buffer.alloc(32, 2);
const at = (context: string) => ({ context });

async function reasonOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof SecretBoxError) return error.reason;
    throw error;
  }
  throw new Error("expected a SecretBoxError");
}

describe("createSecretBox", () => {
  it("seals into a self-identifying envelope that opens to the plaintext and never contains it", async () => {
    const box = createSecretBox({ keys: [KEY_A] });
    const sealed = await box.seal("legacy.bot.token-value", at("config:discord:bot_token"));
    expect(sealed).toMatch(/^gk-sealed:v1:[A-Za-z0-9_-]{8}:[A-Za-z0-9_-]+:[A-Za-z0-9_-]+:[A-Za-z0-9_-]+$/);
    expect(sealed).not.toContain("bot.token");
    expect(isSealedSecret(sealed)).toBe(true);
    expect(sealedKeyId(sealed)).toBe(box.currentKeyId);
    expect(parseSealedSecret(sealed)).toMatchObject({ version: "v1", keyId: box.currentKeyId });
    expect(await box.open(sealed, at("config:discord:bot_token"))).toBe("legacy.bot.token-value");
  });

  it("uses a fresh IV: the same plaintext seals differently every time", async () => {
    const box = createSecretBox({ keys: [KEY_A] });
    const a = await box.seal("same", at("c"));
    const b = await box.seal("same", at("c"));
    expect(a).not.toBe(b);
  });

  it("a value moved to another context (field or row) does not open: tampered", async () => {
    const box = createSecretBox({ keys: [KEY_A] });
    const sealed = await box.seal("secret", at("config:discord:client_secret"));
    expect(await reasonOf(box.open(sealed, at("config:discord:bot_token")))).toBe("tampered");
  });

  it("an altered ciphertext, IV, tag or key id does not open", async () => {
    const box = createSecretBox({ keys: [KEY_A, KEY_B] });
    const sealed = await box.seal("secret value", at("c"));
    const parts = sealed.split(":");
    const flip = (index: number) => {
      const bytes = Buffer.from(parts[index] as string, "base64url");
      bytes[0] = (bytes[0] as number) ^ 1;
      return parts.map((p, i) => (i === index ? bytes.toString("base64url") : p)).join(":");
    };
    for (const index of [3, 4, 5]) expect(await reasonOf(box.open(flip(index), at("c")))).toBe("tampered");
    // naming the other configured key in the header does not help either
    const otherKey = createSecretBox({ keys: [KEY_B] }).currentKeyId;
    const relabelled = parts.map((p, i) => (i === 2 ? otherKey : p)).join(":");
    expect(await reasonOf(box.open(relabelled, at("c")))).toBe("tampered");
  });

  it("a value sealed with a key the box does not hold is wrong_key, naming the key id", async () => {
    const sealed = await createSecretBox({ keys: [KEY_B] }).seal("secret", at("c"));
    const box = createSecretBox({ keys: [KEY_A] });
    const error = await box.open(sealed, at("c")).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SecretBoxError);
    expect(error).toMatchObject({ reason: "wrong_key", keyId: sealedKeyId(sealed), context: "c" });
    expect((error as Error).message).toContain("GUILDKIT_SECRET_KEY");
  });

  it("refuses text that is not an envelope, or of another format version", async () => {
    const box = createSecretBox({ keys: [KEY_A] });
    expect(await reasonOf(box.open("plain text", at("c")))).toBe("malformed");
    expect(await reasonOf(box.open("gk-sealed:v1:abc", at("c")))).toBe("malformed");
    expect(await reasonOf(box.open("gk-sealed:v1:abcdefgh:!!:x:y", at("c")))).toBe("malformed");
    expect(await reasonOf(box.open("gk-sealed:v9:abcdefgh:a:b:c", at("c")))).toBe("unsupported_version");
  });

  it("with several keys the first seals and any opens; isCurrent tells which need re-sealing", async () => {
    const old = createSecretBox({ keys: [KEY_A] });
    const sealedWithOld = await old.seal("secret", at("c"));
    const rotated = createSecretBox({ keys: [KEY_B, KEY_A] });
    expect(rotated.keyIds).toEqual([rotated.currentKeyId, old.currentKeyId]);
    expect(await rotated.open(sealedWithOld, at("c"))).toBe("secret");
    expect(rotated.isCurrent(sealedWithOld)).toBe(false);
    const resealed = await rotated.seal("secret", at("c"));
    expect(rotated.isCurrent(resealed)).toBe(true);
    expect(await reasonOf(old.open(resealed, at("c")))).toBe("wrong_key");
  });

  it("refuses no keys and keys that are not 32 bytes", () => {
    expect(() => createSecretBox({ keys: [] })).toThrow(expect.objectContaining({ reason: "no_key" }));
    expect(() => createSecretBox({ keys: [KEY_A, Buffer.alloc(16)] })).toThrow(
      expect.objectContaining({
        reason: "invalid_key",
        message: expect.stringContaining("key 2 is 16 bytes"),
      }),
    );
  });

  it("round-trips any text for any context, and the context is bound (property)", async () => {
    const box = createSecretBox({ keys: [randomBytes(32)] });
    await fc.assert(
      fc.asyncProperty(
        fc.string({ unit: "grapheme" }),
        fc.string({ minLength: 1 }),
        async (text, context) => {
          const sealed = await box.seal(text, { context });
          expect(await box.open(sealed, { context })).toBe(text);
          expect(await reasonOf(box.open(sealed, { context: `${context}x` }))).toBe("tampered");
        },
      ),
      { numRuns: 200 },
    );
  });
});
