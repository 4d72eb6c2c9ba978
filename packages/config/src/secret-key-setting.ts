/** The length of a `GUILDKIT_SECRET_KEY` key, in bytes (AES-256). */
const KEY_BYTES = 32;
const GENERATE_KEY = `node -e "console.log(require('node:crypto').randomBytes(32).toString('base64'))"`;

/**
 * Decodes one key: 32 bytes as hex (64 characters), base64 (44 with `=`, or 43) or base64url (43).
 * `null` when the text is none of these.
 */
export function decodeSecretKeyText(text: string): Uint8Array | null {
  if (/^[0-9a-fA-F]{64}$/.test(text)) return new Uint8Array(Buffer.from(text, "hex"));
  if (/^[A-Za-z0-9+/_-]{43}=?$/.test(text)) {
    const bytes = Buffer.from(text.replaceAll("-", "+").replaceAll("_", "/"), "base64");
    if (bytes.byteLength === KEY_BYTES) return new Uint8Array(bytes);
  }
  return null;
}

/**
 * `GUILDKIT_SECRET_KEY`: one key, or several comma-separated for a rotation (the first seals, every
 * one opens). Reports one problem per bad key, by position; never echoes a key.
 */
export function parseSecretKeys(
  value: string | null,
  problem: (variable: string, message: string) => void,
  development: boolean,
): Uint8Array[] {
  const how = development
    ? `; generate one with: ${GENERATE_KEY}`
    : ", e.g. 44 base64 characters from a secret manager";
  if (value === null) {
    problem(
      "GUILDKIT_SECRET_KEY",
      `GUILDKIT_SECRET_KEY is not set: it encrypts secret settings at rest and needs ${KEY_BYTES} random bytes in base64 or hex${how}`,
    );
    return [];
  }
  const texts = value.split(",").map((t) => t.trim());
  const keys: Uint8Array[] = [];
  texts.forEach((text, index) => {
    const key = decodeSecretKeyText(text);
    if (key) keys.push(key);
    else {
      const which =
        texts.length === 1
          ? "GUILDKIT_SECRET_KEY"
          : `GUILDKIT_SECRET_KEY key ${index + 1} of ${texts.length}`;
      problem(
        "GUILDKIT_SECRET_KEY",
        `${which} is not ${KEY_BYTES} bytes in base64 (44 characters), base64url (43) or hex (64); it has ${text.length} characters${how}`,
      );
    }
  });
  return keys;
}
