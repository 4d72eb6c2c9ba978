import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes } from "node:crypto";
import {
  parseSealedSecret,
  SEALED_PREFIX,
  SEALED_VERSION,
  type SecretBox,
  SecretBoxError,
  sealedKeyId,
} from "./secret-box";

/** The length of every key {@link createSecretBox} takes, in bytes (AES-256). */
export const SECRET_KEY_BYTES = 32;

const IV_BYTES = 12;
const TAG_BYTES = 16;
const ENCRYPTION_INFO = "guildkit secret-box v1 aes-256-gcm";
const KEY_ID_LABEL = "guildkit secret-box key id";

/** Options of {@link createSecretBox}. */
export interface SecretBoxKeys {
  /**
   * The keys, 32 bytes each: the first seals, every one opens (for rotation, put the new key
   * first and keep the old ones after it until `guildkit secrets rotate` has run).
   */
  keys: readonly Uint8Array[];
}

interface Key {
  id: string;
  encryption: Buffer;
}

/**
 * The {@link SecretBox}: AES-256-GCM from `node:crypto`, a fresh 96-bit IV per value, the context
 * and the envelope header as associated data. Each configured key is not used directly: the
 * encryption key is derived from it with HKDF-SHA256, and the key id is the first 48 bits of an
 * HMAC-SHA256 of a fixed label (base64url, 8 characters) — a fingerprint that tells the keys apart
 * without revealing them.
 *
 * @throws {@link SecretBoxError} `no_key` without keys, `invalid_key` for a key that is not 32 bytes.
 *
 * @example
 * const box = createSecretBox({ keys: [Buffer.from(process.env.KEY!, "base64url")] });
 * const sealed = await box.seal("bot-token", { context: "config:discord:bot_token" });
 * await box.open(sealed, { context: "config:discord:bot_token" }); // "bot-token"
 */
export function createSecretBox(options: SecretBoxKeys): SecretBox {
  if (options.keys.length === 0) {
    throw new SecretBoxError("no_key", "no secret key given: set GUILDKIT_SECRET_KEY (32 random bytes)");
  }
  const keys: Key[] = [];
  options.keys.forEach((raw, index) => {
    if (raw.byteLength !== SECRET_KEY_BYTES) {
      throw new SecretBoxError(
        "invalid_key",
        `secret key ${index + 1} is ${raw.byteLength} bytes; every key must be ${SECRET_KEY_BYTES} bytes`,
      );
    }
    const key = deriveKey(raw);
    if (!keys.some((k) => k.id === key.id)) keys.push(key);
  });
  const current = keys[0] as Key;
  const byId = new Map(keys.map((k) => [k.id, k]));

  return {
    currentKeyId: current.id,
    keyIds: keys.map((k) => k.id),

    async seal(plaintext, opts) {
      opts.signal?.throwIfAborted();
      const context = checkContext(opts.context);
      const header = `${SEALED_PREFIX}${SEALED_VERSION}:${current.id}`;
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv("aes-256-gcm", current.encryption, iv, { authTagLength: TAG_BYTES });
      cipher.setAAD(associatedData(header, context));
      const ciphertext = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
      const tag = cipher.getAuthTag();
      return [header, iv, ciphertext, tag]
        .map((part) => (typeof part === "string" ? part : part.toString("base64url")))
        .join(":");
    },

    async open(sealed, opts) {
      opts.signal?.throwIfAborted();
      const context = checkContext(opts.context);
      const parts = parseSealedSecret(sealed);
      const key = byId.get(parts.keyId);
      if (!key) {
        throw new SecretBoxError(
          "wrong_key",
          `the secret at ${context} was sealed with key ${parts.keyId}, which is not configured ` +
            `(configured: ${[...byId.keys()].join(", ")}); add the key that sealed it to GUILDKIT_SECRET_KEY ` +
            "after the current one",
          { keyId: parts.keyId, context },
        );
      }
      if (parts.iv.byteLength !== IV_BYTES || parts.tag.byteLength !== TAG_BYTES) {
        throw new SecretBoxError("malformed", `malformed sealed secret at ${context}: bad IV or tag length`, {
          keyId: parts.keyId,
          context,
        });
      }
      const header = `${SEALED_PREFIX}${parts.version}:${parts.keyId}`;
      try {
        const decipher = createDecipheriv("aes-256-gcm", key.encryption, parts.iv, {
          authTagLength: TAG_BYTES,
        });
        decipher.setAAD(associatedData(header, context));
        decipher.setAuthTag(parts.tag);
        return Buffer.concat([decipher.update(parts.ciphertext), decipher.final()]).toString("utf8");
      } catch {
        throw new SecretBoxError(
          "tampered",
          `the secret at ${context} does not authenticate with key ${parts.keyId}: it was altered, or ` +
            "copied from another field or row",
          { keyId: parts.keyId, context },
        );
      }
    },

    isCurrent(sealed) {
      return sealedKeyId(sealed) === current.id;
    },
  };
}

function deriveKey(raw: Uint8Array): Key {
  const encryption = Buffer.from(hkdfSync("sha256", raw, Buffer.alloc(0), ENCRYPTION_INFO, SECRET_KEY_BYTES));
  const id = createHmac("sha256", raw).update(KEY_ID_LABEL).digest().subarray(0, 6).toString("base64url");
  return { id, encryption };
}

function checkContext(context: string): string {
  if (typeof context !== "string" || context === "") {
    throw new TypeError("a SecretBox context names where the value lives, e.g. config:discord:bot_token");
  }
  return context;
}

/** The header and the context, so neither can be changed without the tag failing. */
function associatedData(header: string, context: string): Buffer {
  return Buffer.from(`${header}\n${context}`, "utf8");
}
