import type { DiscordRest } from "../client";
import { discordCode, type SetupProbe } from "./probe";
import { fail, pass, unreachable } from "./result";
import type { SetupCheckResult, SetupWebhook } from "./types";

const NEW_URL =
  "In Discord: channel settings → Integrations → Webhooks → New Webhook → Copy Webhook URL, then save that URL in webhook";

/** Each webhook URL answers `GET /webhooks/{id}/{token}` (nothing is posted). */
export async function checkWebhooks(
  rest: Pick<DiscordRest, "parseWebhookUrl">,
  probe: SetupProbe,
  webhooks: readonly SetupWebhook[],
  signal?: AbortSignal,
): Promise<SetupCheckResult[]> {
  const results: SetupCheckResult[] = [];
  for (const hook of webhooks) {
    const label = hook.name ? `"${hook.name}"` : hook.id;
    const id = `webhook:${hook.id}`;
    const title = `webhook ${label} answers`;
    let credentials: { id: string; token: string };
    try {
      credentials = rest.parseWebhookUrl(hook.url);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      results.push(
        fail(id, title, `its URL is not a Discord webhook URL (${reason}).`, `${NEW_URL} ${label}.`),
      );
      continue;
    }
    try {
      const answer = await probe.webhook(credentials.id, credentials.token, signal);
      const code = discordCode(answer.json);
      if (answer.status === 200) {
        const name = (answer.json as { name?: unknown } | null)?.name;
        results.push(pass(id, title, `Discord knows it${typeof name === "string" ? ` as "${name}"` : ""}.`));
      } else if (answer.status === 404) {
        results.push(
          fail(
            id,
            title,
            `Discord answers 404${code ? ` ${code}` : ""} Unknown Webhook: it was deleted.`,
            `${NEW_URL} ${label}.`,
          ),
        );
      } else if (answer.status === 401) {
        results.push(
          fail(
            id,
            title,
            `Discord refuses the URL's token (401${code ? ` ${code}` : ""}): the webhook was reset or the URL was cut.`,
            `${NEW_URL} ${label} (copy the whole URL).`,
          ),
        );
      } else {
        results.push(unreachable(id, title, new Error(`GET /webhooks answered ${answer.status}`)));
      }
    } catch (error) {
      results.push(unreachable(id, title, error));
    }
  }
  return results;
}
