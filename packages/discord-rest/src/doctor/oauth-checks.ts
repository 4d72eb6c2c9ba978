import { createDiscordOAuth } from "../oauth";
import type { ApplicationInfo } from "./identity-checks";
import { fail, pass, skip, unreachable } from "./result";
import type { SetupCheckInput, SetupCheckResult } from "./types";

const SECRET = "client secret accepted";
const REDIRECT = "OAuth2 redirect URIs registered";
// A code no one was issued: the token endpoint checks the client first, then the redirect URI, then the code.
const PROBE_CODE = "guildkit-doctor-probe";
const PROBE_VERIFIER = "guildkit-doctor-probe-verifier-0000000000000000";

type OAuthCheckInput = Pick<
  SetupCheckInput,
  | "clientId"
  | "clientSecret"
  | "redirectUris"
  | "apiBaseUrl"
  | "userAgent"
  | "timeoutMs"
  | "dispatcher"
  | "signal"
>;

/** The token endpoint's refusal of the probe (`error`, `description`), or the error when it gave no answer. */
type ExchangeAnswer = { error: string; description: string } | Error;

/** Exchanges the probe code for `redirectUri`: never grants anything, resolves how it was refused. */
function createExchangeProbe(input: OAuthCheckInput & { clientId: string; clientSecret: string }) {
  const oauth = createDiscordOAuth({
    clientId: input.clientId,
    clientSecret: input.clientSecret,
    ...(input.apiBaseUrl ? { apiBaseUrl: input.apiBaseUrl } : {}),
    ...(input.userAgent ? { userAgent: input.userAgent } : {}),
    timeoutMs: input.timeoutMs ?? 10_000,
    ...(input.dispatcher ? { dispatcher: input.dispatcher } : {}),
  });
  return async (redirectUri: string): Promise<ExchangeAnswer> => {
    try {
      await oauth.exchangeCode({
        code: PROBE_CODE,
        redirectUri,
        codeVerifier: PROBE_VERIFIER,
        signal: input.signal,
      });
      return { error: "none", description: "" };
    } catch (error) {
      const e = error as { error?: unknown; description?: unknown };
      if (typeof e.error === "string") return { error: e.error, description: String(e.description ?? "") };
      return error instanceof Error ? error : new Error(String(error));
    }
  };
}

/** Every redirect URI is in the application's list and not refused by the token endpoint. */
async function checkRedirects(
  uris: readonly string[],
  app: ApplicationInfo | null,
  first: ExchangeAnswer,
  exchange: (uri: string) => Promise<ExchangeAnswer>,
): Promise<SetupCheckResult> {
  const missing: string[] = [];
  for (const [index, uri] of uris.entries()) {
    const registered = app?.redirectUris ? app.redirectUris.includes(uri) : true;
    const answer = index === 0 ? first : await exchange(uri);
    const refused = !(answer instanceof Error) && /redirect_uri/i.test(answer.description);
    if (!registered || refused) missing.push(uri);
  }
  if (missing.length === 0) return pass("redirect_uri", REDIRECT, `registered: ${uris.join(", ")}.`);
  return fail(
    "redirect_uri",
    REDIRECT,
    `not registered on the application: ${missing.join(", ")}.`,
    `Developer Portal → OAuth2 → Redirects → Add Redirect, exactly (scheme, host, port, path): ${missing.join(" and ")}; then Save Changes. If the host is wrong, fix PUBLIC_BASE_URL instead.`,
  );
}

/**
 * The client secret and the redirect URIs, by exchanging a code no one was issued at the token
 * endpoint (client auth is checked first, then the redirect URI, then the code — nothing is
 * granted) and by the application's `redirect_uris`.
 */
export async function checkOAuth(
  input: OAuthCheckInput,
  app: ApplicationInfo | null,
): Promise<SetupCheckResult[]> {
  const uris = input.redirectUris ?? [];
  const { clientId, clientSecret } = input;
  if (!clientId || !clientSecret) {
    const missing = !clientId ? "client_id" : "client_secret";
    return [
      fail(
        "client_secret",
        SECRET,
        `${missing} is not set, so members cannot sign in or link their account.`,
        `Save the Discord setting ${missing} (Developer Portal → OAuth2 → Client ID / Reset Secret).`,
      ),
      skip("redirect_uri", REDIRECT, `needs ${missing}.`),
    ];
  }
  const exchange = createExchangeProbe({ ...input, clientId, clientSecret });
  const first = await exchange(uris[0] ?? "http://localhost/guildkit-doctor");
  if (first instanceof Error) {
    return [
      unreachable("client_secret", SECRET, first),
      skip("redirect_uri", REDIRECT, "needs the token endpoint."),
    ];
  }
  if (first.error === "invalid_client") {
    return [
      fail(
        "client_secret",
        SECRET,
        `Discord refused client ${clientId} with this secret (invalid_client).`,
        "Developer Portal → OAuth2 → Reset Secret, then save the new secret as the Discord setting client_secret (and check client_id is that application's id).",
      ),
      skip("redirect_uri", REDIRECT, "needs an accepted client secret."),
    ];
  }
  const secret = pass("client_secret", SECRET, `the token endpoint accepts client ${clientId}.`);
  if (uris.length === 0) {
    return [secret, skip("redirect_uri", REDIRECT, "no public URL given (PUBLIC_BASE_URL or --public-url).")];
  }
  return [secret, await checkRedirects(uris, app, first, exchange)];
}
