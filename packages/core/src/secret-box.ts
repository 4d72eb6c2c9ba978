import type { IoOptions } from "./ports";

/**
 * The prefix every sealed secret starts with. A sealed value is one line of text:
 * `gk-sealed:v1:<keyId>:<iv>:<ciphertext>:<tag>` (the last three base64url), so it fits any text
 * column and says which format version and which key sealed it.
 */
export const SEALED_PREFIX = "gk-sealed:";
/** The envelope format version {@link createSecretBox} writes. */
export const SEALED_VERSION = "v1";

/** Options of {@link SecretBox.seal} and {@link SecretBox.open}. */
export interface SecretBoxOptions extends IoOptions {
  /**
   * Where the value lives, e.g. `config:discord:bot_token`. It is authenticated with the value
   * (AES-GCM associated data): a sealed value copied to another field or row, whose context differs,
   * does not open. Not secret; never empty.
   */
  context: string;
}

/**
 * Port: seals secret strings for storage at rest and opens them again. One implementation,
 * {@link createSecretBox} (AES-256-GCM, several keys: the first seals, any opens); a host may bring
 * its own (a KMS) as long as it writes {@link SEALED_PREFIX} envelopes.
 */
export interface SecretBox {
  /** The id of the key {@link SecretBox.seal} uses (a fingerprint; not secret). */
  readonly currentKeyId: string;
  /** The ids of every key the box can open with, the current one first. */
  readonly keyIds: readonly string[];
  /** Seals `plaintext` for `context` with the current key. */
  seal(plaintext: string, opts: SecretBoxOptions): Promise<string>;
  /**
   * Opens a sealed value for `context`.
   *
   * @throws {@link SecretBoxError} `malformed` / `unsupported_version` (not an envelope this box
   * reads), `wrong_key` (sealed with a key the box does not hold), `tampered` (altered, or sealed for
   * another context).
   */
  open(sealed: string, opts: SecretBoxOptions): Promise<string>;
  /** Whether `sealed` is an envelope sealed with the current key (rotation leaves it alone). */
  isCurrent(sealed: string): boolean;
}

/** Why a {@link SecretBoxError} was thrown. */
export type SecretBoxErrorReason =
  /** No key is configured, so nothing can be sealed or opened. */
  | "no_key"
  /** A configured key is not 32 bytes. */
  | "invalid_key"
  /** The text is not a sealed value (or a part of it is not base64url of the right length). */
  | "malformed"
  /** A sealed value of a format version this box does not read. */
  | "unsupported_version"
  /** Sealed with a key the box does not hold. */
  | "wrong_key"
  /** The value does not authenticate: altered, or moved from another field or row (context). */
  | "tampered";

/**
 * A secret could not be sealed or opened. The message names the reason, the key id and the
 * context, never the value.
 */
export class SecretBoxError extends Error {
  override readonly name = "SecretBoxError";
  readonly code = "secret_box";
  readonly reason: SecretBoxErrorReason;
  /** The key id the value names (`wrong_key`, `tampered`), else `null`. */
  readonly keyId: string | null;
  /** The context the value was opened for, when there was one. */
  readonly context: string | null;

  constructor(
    reason: SecretBoxErrorReason,
    message: string,
    fields: { keyId?: string | null; context?: string | null } = {},
  ) {
    super(message);
    this.reason = reason;
    this.keyId = fields.keyId ?? null;
    this.context = fields.context ?? null;
  }
}

/** Whether `value` is a sealed secret (starts with {@link SEALED_PREFIX}); says nothing of its key. */
export function isSealedSecret(value: unknown): value is string {
  return typeof value === "string" && value.startsWith(SEALED_PREFIX);
}

/** The parts of a sealed value. */
export interface SealedParts {
  version: string;
  keyId: string;
  iv: Uint8Array;
  ciphertext: Uint8Array;
  tag: Uint8Array;
}

const BASE64URL = /^[A-Za-z0-9_-]*$/;

/**
 * Splits a sealed value into its parts.
 *
 * @throws {@link SecretBoxError} `malformed` or `unsupported_version`.
 */
export function parseSealedSecret(sealed: string): SealedParts {
  if (!isSealedSecret(sealed)) {
    throw new SecretBoxError("malformed", `not a sealed secret: expected text starting "${SEALED_PREFIX}"`);
  }
  const parts = sealed.slice(SEALED_PREFIX.length).split(":");
  const [version = "", keyId = "", iv, ciphertext, tag] = parts;
  if (version !== SEALED_VERSION && /^v[0-9]+$/.test(version)) {
    throw new SecretBoxError(
      "unsupported_version",
      `sealed secret of format ${version}; this version of guildkit reads ${SEALED_VERSION} only`,
    );
  }
  if (
    version !== SEALED_VERSION ||
    parts.length !== 5 ||
    keyId === "" ||
    iv === undefined ||
    ciphertext === undefined ||
    tag === undefined ||
    ![keyId, iv, ciphertext, tag].every((p) => BASE64URL.test(p))
  ) {
    throw new SecretBoxError(
      "malformed",
      `malformed sealed secret: expected ${SEALED_PREFIX}${SEALED_VERSION}:<key id>:<iv>:<data>:<tag>`,
    );
  }
  return {
    version,
    keyId,
    iv: Buffer.from(iv, "base64url"),
    ciphertext: Buffer.from(ciphertext, "base64url"),
    tag: Buffer.from(tag, "base64url"),
  };
}

/** The key id a sealed value names, or `null` when it is not one. */
export function sealedKeyId(value: unknown): string | null {
  if (!isSealedSecret(value)) return null;
  const keyId = value.slice(SEALED_PREFIX.length).split(":")[1];
  return keyId ? keyId : null;
}
