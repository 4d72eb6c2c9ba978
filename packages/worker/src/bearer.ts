import { createHash, timingSafeEqual } from "node:crypto";

const digest = (value: string) => createHash("sha256").update(value).digest();

/**
 * Checks an `Authorization` header against one token: it must be exactly `Bearer`, one space and
 * the token — `bearer x`, `Bearer  x` (two spaces), `Bearer\tx` or anything around it do not pass.
 * Constant time: both sides are SHA-256 hashed before `timingSafeEqual`, so neither the token's
 * length nor where a guess goes wrong leaks. An empty token lets nothing through.
 */
export function createBearerCheck(token: string): (authorization: string | null | undefined) => boolean {
  const expected = digest(`Bearer ${token}`);
  return (authorization) => {
    const matches = timingSafeEqual(digest(authorization ?? ""), expected);
    return matches && token !== "";
  };
}
