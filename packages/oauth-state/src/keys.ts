import { Buffer } from "node:buffer";
import { hkdfSync } from "node:crypto";
import { OAuthConfigError } from "./errors";

/** The shortest state signing secret accepted, in bytes. */
export const MIN_SECRET_BYTES = 32;

/**
 * The bytes of a signing secret (a string is taken as UTF-8).
 *
 * @throws OAuthConfigError (`invalid_state_secret`) when it is shorter than {@link MIN_SECRET_BYTES}.
 */
export function secretBytes(secret: string | Uint8Array, option: string): Uint8Array {
  const bytes = typeof secret === "string" ? new TextEncoder().encode(secret) : secret;
  if (!(bytes instanceof Uint8Array) || bytes.byteLength < MIN_SECRET_BYTES) {
    throw new OAuthConfigError(
      `The state signing secret (${option}) must be at least ${MIN_SECRET_BYTES} bytes; generate one with \`openssl rand -base64 48\`.`,
      { code: "invalid_state_secret", option },
    );
  }
  return bytes;
}

/**
 * A 32-byte key for one purpose, derived from a signing secret with HKDF-SHA256 (RFC 5869) and the
 * purpose's `label` as `info`: keys of different labels are unrelated, and none reveals the secret or
 * the state-token key.
 */
export function deriveKey(secret: Uint8Array, label: string): Buffer {
  return Buffer.from(hkdfSync("sha256", secret, new Uint8Array(0), `guildkit/oauth-state:${label}`, 32));
}
