import { Buffer } from "node:buffer";
import { createHmac, timingSafeEqual } from "node:crypto";
import { deriveKey, secretBytes } from "./keys";
import { deriveCodeVerifier } from "./pkce";
import type { Clock } from "./ports";
import { randomBytes, sha256Base64Url } from "./random";

/**
 * The absolute lifetime of a browser binding, in seconds (30 minutes), counted from its creation: a
 * binding is reused by later starts in the same browser (two tabs can sign in at once) only while it
 * has the whole flow's chain left (login + signup confirmation: 15 minutes; link + replacement
 * confirmation: 6 minutes), and its cookie keeps its original expiry — starting again never extends it.
 */
export const BROWSER_BINDING_MAX_AGE_SECONDS = 1800;

/** Creation time (unix seconds), random bytes, MAC: 39 bytes, 52 base64url characters (no padding). */
const TIME_BYTES = 6;
const RANDOM_BYTES = 17;
const MAC_BYTES = 16;
const SIGNED_BYTES = TIME_BYTES + RANDOM_BYTES;
const BINDING_PATTERN = /^[A-Za-z0-9_-]{52}$/;

/** A browser binding this server issued: its MAC verified under one of the deployment's secrets. */
export interface VerifiedBrowserBinding {
  /** The cookie value. */
  readonly value: string;
  /** When it was issued. */
  readonly createdAt: Date;
  /** Which secret issued it (0: the signing secret; then `previousSecrets` in order). */
  readonly keyIndex: number;
}

/** Issues and verifies browser bindings, and derives the PKCE verifier of a flow from one. */
export interface BrowserBindings {
  /** A fresh binding, MAC'd with the key derived from the signing secret. */
  issue(): VerifiedBrowserBinding;
  /**
   * The binding `value` is, when this server issued it (its MAC verifies, compared in constant time,
   * under a key of the signing or a previous secret); `null` for anything else — a well-formed value
   * someone planted included. Says nothing of its age (see {@link secondsLeft}).
   */
  verify(value: unknown): VerifiedBrowserBinding | null;
  /**
   * Seconds the binding has left by the clock ({@link BROWSER_BINDING_MAX_AGE_SECONDS} after its
   * creation); 0 when expired or dated in the future.
   */
  secondsLeft(binding: VerifiedBrowserBinding): number;
  /**
   * The PKCE code verifier of the flow whose state carries `nonce`, keyed by the PKCE key of the secret
   * that issued the binding (see `deriveCodeVerifier`): it depends on a server secret, so knowing the
   * binding and the nonce is not enough to compute it.
   */
  codeVerifier(binding: VerifiedBrowserBinding, nonce: string): string;
}

/** Options of {@link createBrowserBindings}: the state signing secrets, and the clock. */
export interface BrowserBindingsOptions {
  /** The state signing secret (at least 32 bytes); the binding and PKCE keys are derived from it. */
  secret: string | Uint8Array;
  /** Secrets still accepted during a rotation: bindings they issued keep verifying. */
  previousSecrets?: ReadonlyArray<string | Uint8Array>;
  clock: Clock;
}

/**
 * Server-issued browser bindings. A binding is its creation time (6 bytes), 17 random bytes and a
 * 128-bit MAC of both, base64url (52 characters); the MAC key and the PKCE key are derived from each
 * state signing secret with their own labels (HKDF-SHA256, see `deriveKey`), so neither is the state
 * key. The HTTP layer sets a binding as an `HttpOnly; SameSite=Lax` cookie when a flow starts; the state
 * token carries only its SHA-256 hash, and the callback must present the cookie (a state started in
 * another browser is refused, `browser_mismatch`, which closes login CSRF). A presented value that does
 * not verify is replaced, never adopted: a planted cookie cannot choose the binding of the victim's
 * flow, and the verifier needs a server key anyway.
 *
 * @throws OAuthConfigError when a secret is shorter than 32 bytes.
 */
export function createBrowserBindings(options: BrowserBindingsOptions): BrowserBindings {
  const keys = [options.secret, ...(options.previousSecrets ?? [])].map((secret, index) => {
    const bytes = secretBytes(secret, index === 0 ? "secret" : "previousSecrets");
    return { mac: deriveKey(bytes, "browser-binding"), pkce: deriveKey(bytes, "pkce") };
  });
  const signing = keys[0] as (typeof keys)[number];
  const nowSeconds = () => Math.floor(options.clock.now().getTime() / 1000);
  return {
    issue() {
      const createdAt = nowSeconds();
      const bytes = Buffer.alloc(SIGNED_BYTES + MAC_BYTES);
      bytes.writeUIntBE(createdAt, 0, TIME_BYTES);
      randomBytes(RANDOM_BYTES).copy(bytes, TIME_BYTES);
      mac(signing.mac, bytes.subarray(0, SIGNED_BYTES)).copy(bytes, SIGNED_BYTES);
      return { value: bytes.toString("base64url"), createdAt: new Date(createdAt * 1000), keyIndex: 0 };
    },
    verify(value) {
      if (!isBrowserBinding(value)) return null;
      const bytes = Buffer.from(value, "base64url");
      const signed = bytes.subarray(0, SIGNED_BYTES);
      const given = bytes.subarray(SIGNED_BYTES);
      let keyIndex = -1;
      // Every key is tried (no early exit), each comparison in constant time.
      keys.forEach((key, index) => {
        if (timingSafeEqual(mac(key.mac, signed), given) && keyIndex === -1) keyIndex = index;
      });
      if (keyIndex === -1) return null;
      return { value, createdAt: new Date(bytes.readUIntBE(0, TIME_BYTES) * 1000), keyIndex };
    },
    secondsLeft(binding) {
      const age = nowSeconds() - Math.floor(binding.createdAt.getTime() / 1000);
      return age < 0 || age >= BROWSER_BINDING_MAX_AGE_SECONDS ? 0 : BROWSER_BINDING_MAX_AGE_SECONDS - age;
    },
    codeVerifier(binding, nonce) {
      const key = keys[binding.keyIndex]?.pkce;
      if (key === undefined) throw new RangeError("the binding was not verified by these bindings");
      return deriveCodeVerifier({ key, browserBinding: binding.value, nonce });
    },
  };
}

function mac(key: Uint8Array, signed: Uint8Array): Buffer {
  return createHmac("sha256", key).update("gk-bb-v2:").update(signed).digest().subarray(0, MAC_BYTES);
}

/**
 * True when `value` has the shape of a binding (52 base64url characters). Says nothing of who issued
 * it: only {@link BrowserBindings.verify} does.
 */
export function isBrowserBinding(value: unknown): value is string {
  return typeof value === "string" && BINDING_PATTERN.test(value);
}

/** The hash of a browser binding that goes into a state token (base64url SHA-256). */
export function hashBrowserBinding(binding: string): string {
  return sha256Base64Url(`gk-bb:${binding}`);
}
