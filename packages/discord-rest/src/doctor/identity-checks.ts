import { createDiscordOAuth } from "../oauth";
import { discordCode, type SetupProbe } from "./probe";
import { fail, pass, skip, unreachable } from "./result";
import type { SetupCheckInput, SetupCheckResult } from "./types";

/** The application as `GET /applications/@me` answers it (the fields read). */
export interface ApplicationInfo {
  id: string;
  name: string;
  flags: number | null;
  redirectUris: string[] | null;
}

const TOKEN = "bot token valid";
const RESET_TOKEN =
  "Open the Discord Developer Portal → your application → Bot → Reset Token, copy the token and save it as the Discord setting bot_token (the token alone, without 'Bot ').";

/** `GET /users/@me` as the bot: the token opens a bot account. */
export async function checkToken(
  probe: SetupProbe,
  signal?: AbortSignal,
): Promise<{ result: SetupCheckResult; bot: { id: string; username: string } | null }> {
  try {
    const answer = await probe.currentUser(signal);
    if (answer.status === 401) {
      return {
        result: fail(
          "token",
          TOKEN,
          "Discord refused the bot token (401 Unauthorized): it is wrong or was reset.",
          RESET_TOKEN,
        ),
        bot: null,
      };
    }
    const user = answer.json as { id?: unknown; username?: unknown; bot?: unknown } | null;
    if (answer.status !== 200 || typeof user?.id !== "string") {
      return {
        result: unreachable("token", TOKEN, new Error(`GET /users/@me answered ${answer.status}`)),
        bot: null,
      };
    }
    const bot = { id: user.id, username: String(user.username ?? user.id) };
    if (user.bot !== true) {
      return {
        result: fail(
          "token",
          TOKEN,
          `the token opens the user account ${bot.username}, not a bot.`,
          RESET_TOKEN,
        ),
        bot: null,
      };
    }
    return { result: pass("token", TOKEN, `signed in as the bot ${bot.username} (${bot.id}).`), bot };
  } catch (error) {
    return { result: unreachable("token", TOKEN, error), bot: null };
  }
}

const APPLICATION = "client id matches the bot's application";

/** `GET /applications/@me`: the configured `client_id` is the bot token's application. */
export async function checkApplication(
  probe: SetupProbe,
  clientId: string | null,
  signal?: AbortSignal,
): Promise<{ result: SetupCheckResult; app: ApplicationInfo | null }> {
  let app: ApplicationInfo;
  try {
    const answer = await probe.currentApplication(signal);
    const json = answer.json as {
      id?: unknown;
      name?: unknown;
      flags?: unknown;
      redirect_uris?: unknown;
    } | null;
    if (answer.status !== 200 || typeof json?.id !== "string") {
      const error = new Error(
        `GET /applications/@me answered ${answer.status} ${discordCode(answer.json) ?? ""}`.trim(),
      );
      return { result: unreachable("application", APPLICATION, error), app: null };
    }
    app = {
      id: json.id,
      name: String(json.name ?? json.id),
      flags: typeof json.flags === "number" ? json.flags : null,
      redirectUris: Array.isArray(json.redirect_uris) ? json.redirect_uris.map(String) : null,
    };
  } catch (error) {
    return { result: unreachable("application", APPLICATION, error), app: null };
  }
  if (!clientId) {
    return {
      result: fail(
        "application",
        APPLICATION,
        `client_id is not set; the bot token belongs to application ${app.name} (${app.id}).`,
        `Save ${app.id} as the Discord setting client_id (Developer Portal → General Information → Application ID).`,
      ),
      app,
    };
  }
  if (clientId !== app.id) {
    return {
      result: fail(
        "application",
        APPLICATION,
        `client_id is ${clientId}, but the bot token belongs to application ${app.name} (${app.id}).`,
        `Use the id and the bot token of the same application: save ${app.id} as client_id (Developer Portal → General Information → Application ID), or the bot token of application ${clientId}.`,
      ),
      app,
    };
  }
  return { result: pass("application", APPLICATION, `application ${app.name} (${app.id}).`), app };
}

const SECRET = "client secret accepted";
const REDIRECT = "OAuth2 redirect URIs registered";
// A code no one was issued: the token endpoint checks the client first, then the redirect URI, then the code.
const PROBE_CODE = "guildkit-doctor-probe";
const PROBE_VERIFIER = "guildkit-doctor-probe-verifier-0000000000000000";

/**
 * The client secret and the redirect URIs, by exchanging a code no one was issued at the token
 * endpoint (client auth is checked first, then the redirect URI, then the code — nothing is
 * granted) and by the application's `redirect_uris`.
 */
export async function checkOAuth(
  input: Pick<
    SetupCheckInput,
    | "clientId"
    | "clientSecret"
    | "redirectUris"
    | "apiBaseUrl"
    | "userAgent"
    | "timeoutMs"
    | "dispatcher"
    | "signal"
  >,
  app: ApplicationInfo | null,
): Promise<SetupCheckResult[]> {
  const uris = input.redirectUris ?? [];
  if (!input.clientId || !input.clientSecret) {
    const missing = !input.clientId ? "client_id" : "client_secret";
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
  const oauth = createDiscordOAuth({
    clientId: input.clientId,
    clientSecret: input.clientSecret,
    ...(input.apiBaseUrl ? { apiBaseUrl: input.apiBaseUrl } : {}),
    ...(input.userAgent ? { userAgent: input.userAgent } : {}),
    timeoutMs: input.timeoutMs ?? 10_000,
    ...(input.dispatcher ? { dispatcher: input.dispatcher } : {}),
  });
  const exchange = async (redirectUri: string): Promise<{ error: string; description: string } | Error> => {
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
  const results: SetupCheckResult[] = [];
  const first = await exchange(uris[0] ?? "http://localhost/guildkit-doctor");
  if (first instanceof Error)
    return [
      unreachable("client_secret", SECRET, first),
      skip("redirect_uri", REDIRECT, "needs the token endpoint."),
    ];
  if (first.error === "invalid_client") {
    results.push(
      fail(
        "client_secret",
        SECRET,
        `Discord refused client ${input.clientId} with this secret (invalid_client).`,
        "Developer Portal → OAuth2 → Reset Secret, then save the new secret as the Discord setting client_secret (and check client_id is that application's id).",
      ),
      skip("redirect_uri", REDIRECT, "needs an accepted client secret."),
    );
    return results;
  }
  results.push(pass("client_secret", SECRET, `the token endpoint accepts client ${input.clientId}.`));
  if (uris.length === 0) {
    results.push(skip("redirect_uri", REDIRECT, "no public URL given (PUBLIC_BASE_URL or --public-url)."));
    return results;
  }
  const missing: string[] = [];
  for (const [index, uri] of uris.entries()) {
    const registered = app?.redirectUris ? app.redirectUris.includes(uri) : true;
    const answer = index === 0 ? first : await exchange(uri);
    const refused = !(answer instanceof Error) && /redirect_uri/i.test(answer.description);
    if (!registered || refused) missing.push(uri);
  }
  if (missing.length > 0) {
    results.push(
      fail(
        "redirect_uri",
        REDIRECT,
        `not registered on the application: ${missing.join(", ")}.`,
        `Developer Portal → OAuth2 → Redirects → Add Redirect, exactly (scheme, host, port, path): ${missing.join(" and ")}; then Save Changes. If the host is wrong, fix PUBLIC_BASE_URL instead.`,
      ),
    );
  } else {
    results.push(pass("redirect_uri", REDIRECT, `registered: ${uris.join(", ")}.`));
  }
  return results;
}
