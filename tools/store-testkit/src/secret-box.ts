import { createSecretBox, type SecretBox } from "@guildkit/core";

/** The key every test store seals with unless told otherwise (32 bytes, base64url). Tests only. */
export const TEST_SECRET_KEY = "dGVzdC1zZWNyZXQta2V5LW9mLTMyLWJ5dGVzLWxvbmc";

/** A second test key, for rotation tests. */
export const TEST_SECRET_KEY_2 = "c2Vjb25kLXRlc3Qta2V5LW9mLTMyLWJ5dGVzLWxvbmc";

/**
 * A SecretBox on test keys: {@link TEST_SECRET_KEY} by default, or the keys given (base64url text,
 * the first seals).
 */
export function testSecretBox(keys: readonly string[] = [TEST_SECRET_KEY]): SecretBox {
  return createSecretBox({ keys: keys.map((k) => Buffer.from(k, "base64url")) });
}
