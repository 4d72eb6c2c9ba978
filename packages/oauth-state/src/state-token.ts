import { Buffer } from "node:buffer";
import { createHmac, createSecretKey, type KeyObject } from "node:crypto";
import { type JWTPayload, type JWTVerifyGetKey, jwtVerify } from "jose";
import { hashBrowserBinding, isBrowserBinding } from "./browser-binding";
import { OAuthConfigError, type OAuthFlow, StateTokenError } from "./errors";
import { secretBytes } from "./keys";
import type { Clock, DiscordProfile } from "./ports";
import { randomBase64Url, timingSafeEqual } from "./random";
import { CLAIM_SCHEMAS, payloadClaims, payloadFields } from "./state-claims";

/** The four kinds of state token. */
export type StateKind = "link" | "login" | "signup" | "replace";

/**
 * Lifetime of each kind, in seconds: link 1 minute, login 5 minutes, signup confirmation 10 minutes,
 * confirmation of a Discord account replacement 5 minutes.
 */
export const STATE_LIFETIME_SECONDS: Readonly<Record<StateKind, number>> = Object.freeze({
  link: 60,
  login: 300,
  signup: 600,
  replace: 300,
});

/**
 * How far in the future a token's `iat` may lie, in seconds (clock skew between servers sharing the
 * secret); a later one is refused (`issued_in_future`).
 */
export const MAX_CLOCK_SKEW_SECONDS = 60;

/** Default `iss` of state tokens. */
export const DEFAULT_STATE_ISSUER = "guildkit/oauth-state";

/** The JOSE `typ` header every state token carries. */
export const STATE_TOKEN_TYPE = "guildkit-oauth-state+jwt";

/** The verified Discord identity a `signup` token carries to the confirmation step. */
export interface SignupIdentity {
  discordUserId: string;
  /** The address Discord verified, in `normalizeEmail` form. */
  email: string;
  username: string;
  globalName: string | null;
  avatar: string | null;
}

/** What each kind carries besides the standard claims. */
export interface StatePayloads {
  /** Bound to the signed-in member; `returnPath` is where to land after linking. */
  link: { memberId: string; returnPath: string };
  /** Carries the post-login path. */
  login: { postLoginPath: string };
  /** Carries the verified Discord identity and the post-login path to the confirmation step. */
  signup: { identity: SignupIdentity; postLoginPath: string };
  /**
   * Bound to the signed-in member: the Discord account linked when the link started (`previous`) and the
   * one Discord just authorized (`profile`), for the confirmation step.
   */
  replace: {
    memberId: string;
    returnPath: string;
    previous: { discordUserId: string; username: string | null };
    profile: DiscordProfile;
  };
}

/** A token that passed every check (signature, issuer, kind, expiry, browser binding). */
export type VerifiedState<K extends StateKind> = StatePayloads[K] & {
  kind: K;
  /** The single-use nonce (`jti`); consume it before acting. */
  nonce: string;
  issuedAt: Date;
  expiresAt: Date;
};

/** A freshly signed token. */
export interface SignedState {
  token: string;
  nonce: string;
  expiresAt: Date;
}

/** Options of {@link createStateTokens}. */
export interface StateTokensOptions {
  /** HS256 signing secret, at least 32 bytes (a string is taken as UTF-8). */
  secret: string | Uint8Array;
  /** Secrets still accepted on verify during a rotation (never used to sign). */
  previousSecrets?: ReadonlyArray<string | Uint8Array>;
  /** `iss` claim; default `guildkit/oauth-state`. */
  issuer?: string;
  clock: Clock;
}

/** Signs and verifies state tokens. */
export interface StateTokens {
  /**
   * Sign a token of `kind`, bound to `browserBinding` (only its hash goes into the token), with a fresh
   * nonce and the kind's lifetime.
   */
  sign<K extends StateKind>(
    kind: K,
    payload: StatePayloads[K],
    opts: { browserBinding: string },
  ): Promise<SignedState>;
  /**
   * Verify a token: HS256 only (the algorithm is pinned), the configured issuer, the expected kind (its
   * audience), not expired by the clock, not issued more than {@link MAX_CLOCK_SKEW_SECONDS} in the
   * future (`issued_in_future`), and issued to the browser presenting `browserBinding`. Throws
   * {@link StateTokenError}. Does not consume the nonce: the caller does, right before acting.
   */
  verify<K extends StateKind>(
    token: string | null | undefined,
    opts: { kind: K; browserBinding: string | null | undefined; flow?: OAuthFlow },
  ): Promise<VerifiedState<K>>;
}

interface SigningKey {
  kid: string;
  key: KeyObject;
}

const AUDIENCE_PREFIX = "guildkit:oauth:";
const KINDS: readonly StateKind[] = ["link", "login", "signup", "replace"];

/**
 * Creates the state-token signer/verifier: HS256 JWTs (jose) with `typ` `guildkit-oauth-state+jwt`,
 * `iss` per deployment, `aud` `guildkit:oauth:<kind>`, `iat`/`exp` from the clock, a random nonce in
 * `jti`, and `bh`, the hash of the browser binding.
 *
 * @throws OAuthConfigError when a secret is shorter than 32 bytes.
 */
export function createStateTokens(options: StateTokensOptions): StateTokens {
  const issuer = options.issuer ?? DEFAULT_STATE_ISSUER;
  const secrets = [options.secret, ...(options.previousSecrets ?? [])].map((secret, index) =>
    secretBytes(secret, index === 0 ? "secret" : "previousSecrets"),
  );
  // Signing is synchronous (node:crypto HMAC, no thread-pool round trip on the hot start routes);
  // verifying goes through jose with the algorithm pinned, with the same keys.
  const keys = secrets.map(toSigningKey);
  const signing = keys[0] as SigningKey;
  const keysByKid = new Map(keys.map(({ kid, key }) => [kid, key]));
  const getKey: JWTVerifyGetKey = (header) => {
    // Every token this package signs names its key; one that does not was not signed here.
    if (typeof header.kid !== "string") throw new StateTokenError("malformed", { flow: null });
    const key = keysByKid.get(header.kid);
    // An unknown key id verifies against nothing: reported as a bad signature.
    if (key === undefined) throw new StateTokenError("bad_signature", { flow: null });
    return key;
  };
  const protectedHeader = base64Url(
    JSON.stringify({ alg: "HS256", typ: STATE_TOKEN_TYPE, kid: signing.kid }),
  );

  return {
    async sign(kind, payload, { browserBinding }) {
      if (!isBrowserBinding(browserBinding)) {
        throw new OAuthConfigError("browserBinding must be a binding the flows issued", {
          code: "invalid_option",
          option: "browserBinding",
        });
      }
      const now = options.clock.now();
      const issuedAt = Math.floor(now.getTime() / 1000);
      const exp = issuedAt + STATE_LIFETIME_SECONDS[kind];
      const nonce = randomBase64Url(18);
      const claims: Record<string, unknown> = {
        iss: issuer,
        aud: AUDIENCE_PREFIX + kind,
        jti: nonce,
        iat: issuedAt,
        exp,
        bh: hashBrowserBinding(browserBinding),
      };
      Object.assign(claims, payloadClaims(kind, payload));
      // JWS compact serialization (RFC 7515 §7.1), HS256; verified by jose with the algorithm pinned.
      const signingInput = `${protectedHeader}.${base64Url(JSON.stringify(claims))}`;
      const signature = createHmac("sha256", signing.key).update(signingInput).digest("base64url");
      return { token: `${signingInput}.${signature}`, nonce, expiresAt: new Date(exp * 1000) };
    },

    async verify(token, { kind, browserBinding, flow = kind }) {
      const fail = (reason: ConstructorParameters<typeof StateTokenError>[0], cause?: unknown) =>
        new StateTokenError(reason, { flow, cause });
      if (typeof token !== "string" || token.length === 0) throw fail("missing");
      if (token.length > 4096) throw fail("malformed");
      let payload: JWTPayload;
      try {
        ({ payload } = await jwtVerify(token, getKey, {
          algorithms: ["HS256"],
          typ: STATE_TOKEN_TYPE,
          issuer,
          requiredClaims: ["jti", "iat", "exp", "aud"],
          currentDate: options.clock.now(),
        }));
      } catch (error) {
        throw fail(classifyJoseError(error), error);
      }
      const audience = payload.aud;
      if (audience !== AUDIENCE_PREFIX + kind) {
        const isOtherKind = KINDS.some((other) => audience === AUDIENCE_PREFIX + other);
        throw fail(isOtherKind ? "wrong_kind" : "malformed");
      }
      const parsed = CLAIM_SCHEMAS[kind].safeParse(payload);
      if (!parsed.success) throw fail("malformed", parsed.error);
      const nowSeconds = Math.floor(options.clock.now().getTime() / 1000);
      if (parsed.data.iat > nowSeconds + MAX_CLOCK_SKEW_SECONDS) throw fail("issued_in_future");
      if (!isBrowserBinding(browserBinding)) throw fail("browser_mismatch");
      const presented = hashBrowserBinding(browserBinding);
      if (!timingSafeEqual(presented, parsed.data.bh)) throw fail("browser_mismatch");

      const common = {
        kind,
        nonce: parsed.data.jti,
        issuedAt: new Date(parsed.data.iat * 1000),
        expiresAt: new Date(parsed.data.exp * 1000),
      };
      const fields = payloadFields(kind, parsed.data);
      return { ...common, ...fields } as unknown as VerifiedState<typeof kind>;
    },
  };
}

function toSigningKey(secret: Uint8Array): SigningKey {
  const key = createSecretKey(secret);
  // The key id is a MAC of a fixed label: it names the key without revealing anything about it.
  const kid = createHmac("sha256", key).update("guildkit-oauth-state-kid").digest().subarray(0, 9);
  return { kid: kid.toString("base64url"), key };
}

/** base64url (no padding) of the UTF-8 bytes of `text`. */
function base64Url(text: string): string {
  return Buffer.from(text).toString("base64url");
}

function classifyJoseError(error: unknown): "malformed" | "bad_signature" | "expired" | "wrong_issuer" {
  if (error instanceof StateTokenError)
    return error.reason === "bad_signature" ? "bad_signature" : "malformed";
  const code = (error as { code?: unknown } | null)?.code;
  const claim = (error as { claim?: unknown } | null)?.claim;
  switch (code) {
    case "ERR_JWT_EXPIRED":
      return "expired";
    case "ERR_JWS_SIGNATURE_VERIFICATION_FAILED":
    case "ERR_JOSE_ALG_NOT_ALLOWED":
      return "bad_signature";
    case "ERR_JWT_CLAIM_VALIDATION_FAILED":
      return claim === "iss" ? "wrong_issuer" : "malformed";
    default:
      return "malformed";
  }
}
