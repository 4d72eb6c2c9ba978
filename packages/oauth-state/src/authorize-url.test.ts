import { describe, expect, it } from "vitest";
import { buildAuthorizeUrl } from "./authorize-url";

describe("buildAuthorizeUrl", () => {
  it("asks for the code grant with PKCE S256, identify and email, state and redirect URI", () => {
    const url = buildAuthorizeUrl({
      clientId: "123",
      redirectUri: "https://app.test/login/discord/callback",
      state: "st.at.e",
      codeChallenge: "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
    });
    expect(url.startsWith("https://discord.com/oauth2/authorize?")).toBe(true);
    expect(url).toContain("scope=identify%20email");
    const q = new URL(url).searchParams;
    expect(Object.fromEntries(q)).toEqual({
      response_type: "code",
      client_id: "123",
      scope: "identify email",
      state: "st.at.e",
      redirect_uri: "https://app.test/login/discord/callback",
      code_challenge: "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
      code_challenge_method: "S256",
    });
  });

  it("appends to an authorization page that already has a query", () => {
    const url = buildAuthorizeUrl({
      authorizeUrl: "http://127.0.0.1:1234/oauth2/authorize?x=1",
      clientId: "1",
      redirectUri: "http://127.0.0.1/cb",
      state: "s",
      codeChallenge: "c",
    });
    expect(new URL(url).searchParams.get("x")).toBe("1");
    expect(new URL(url).searchParams.get("client_id")).toBe("1");
  });
});
