import { describe, expect, it } from "vitest";
import { codeChallengeS256, createCodeVerifier, deriveCodeVerifier } from "./pkce";

const VERIFIER_SHAPE = /^[A-Za-z0-9\-._~]{43,128}$/;

describe("PKCE", () => {
  it("computes the S256 challenge of RFC 7636 appendix B", async () => {
    expect(await codeChallengeS256("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk")).toBe(
      "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
    );
  });

  it("generates random verifiers of 43 unreserved characters", () => {
    const seen = new Set<string>();
    for (let i = 0; i < 200; i++) {
      const verifier = createCodeVerifier();
      expect(verifier).toMatch(VERIFIER_SHAPE);
      expect(verifier).toHaveLength(43);
      seen.add(verifier);
    }
    expect(seen.size).toBe(200);
  });

  it("derives one verifier per (key, browser binding, nonce), valid in shape and different for any other triple", () => {
    const key = Buffer.alloc(32, 1);
    const binding = "A".repeat(52);
    const a = deriveCodeVerifier({ key, browserBinding: binding, nonce: "nonce-a-123456789" });
    expect(a).toMatch(VERIFIER_SHAPE);
    expect(deriveCodeVerifier({ key, browserBinding: binding, nonce: "nonce-a-123456789" })).toBe(a);
    expect(deriveCodeVerifier({ key, browserBinding: binding, nonce: "nonce-b-123456789" })).not.toBe(a);
    expect(
      deriveCodeVerifier({
        key,
        browserBinding: "B".repeat(52),
        nonce: "nonce-a-123456789",
      }),
    ).not.toBe(a);
    // Knowing the binding and the nonce is not enough: the server's key is part of it.
    expect(
      deriveCodeVerifier({ key: Buffer.alloc(32, 2), browserBinding: binding, nonce: "nonce-a-123456789" }),
    ).not.toBe(a);
  });
});
