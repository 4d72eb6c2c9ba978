import { discordCode, type SetupProbe } from "./probe";
import { fail, pass, unreachable } from "./result";
import type { SetupCheckResult } from "./types";

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
