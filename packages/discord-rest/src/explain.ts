/**
 * Turns a Discord error answer into a message that says what happened and what to do.
 */

/** Flattens Discord's nested 50035 `errors` object into `path: message` lines. */
export function flattenFormErrors(errors: unknown, prefix = ""): string[] {
  if (errors === null || typeof errors !== "object") return [];
  const lines: string[] = [];
  for (const [key, value] of Object.entries(errors as Record<string, unknown>)) {
    if (key === "_errors" && Array.isArray(value)) {
      for (const item of value) {
        const message =
          item && typeof item === "object" && "message" in item ? String(item.message) : String(item);
        lines.push(prefix ? `${prefix}: ${message}` : message);
      }
    } else {
      lines.push(...flattenFormErrors(value, prefix ? `${prefix}.${key}` : key));
    }
  }
  return lines;
}

/** What an operator should do about a known Discord error, by route and code. */
function advice(status: number, code: number | null, route: string): string | null {
  const roleRoute = route.includes("/roles/");
  const webhookRoute = route.includes("/webhooks/:webhook/:token");
  switch (code) {
    case 50013:
      if (roleRoute) {
        return "the role sits above the bot's highest role or the bot lacks Manage Roles; move the bot's role above it in Server Settings → Roles";
      }
      if (route.includes("/channels/:channel/webhooks")) {
        return "the bot lacks Manage Webhooks in this channel; grant it in the channel's permission settings";
      }
      return "the bot lacks a permission this action needs; check its roles in Server Settings → Roles";
    case 50001:
      if (route === "GET /guilds/:guild/members") {
        return "enable the Server Members Intent in the Developer Portal (Bot → Privileged Gateway Intents) and check that the bot is in the guild";
      }
      return "the bot is not in this guild or cannot see this channel; invite the bot or fix the channel's permissions";
    case 10004:
      return "check the configured guild id and that the bot was invited to that guild";
    case 10011:
      return "the role does not exist; check the configured role id (it may have been deleted)";
    case 10003:
      return "the channel does not exist; check the configured channel id";
    case 10015:
      return "the webhook was deleted; do not retry — update the webhook URL or disable the definition";
    case 50027:
      return "the webhook token is wrong; copy the webhook URL again from the channel's Integrations settings";
    case 10008:
      return "the message does not exist (it was deleted)";
    case 50006:
      return "the message has no content, embeds, components, files or poll; give it at least one";
    case 40005:
      return "the request body is too large; shorten the content or attachments";
    case 50035:
      return "the request body was refused; see the field errors";
    default:
      break;
  }
  if (status === 401) {
    return webhookRoute
      ? "the webhook token is wrong; copy the webhook URL again"
      : "Discord rejected the bot token; set the current token from the Developer Portal (Bot → Reset Token)";
  }
  if (status === 403) return "the bot lacks access or a permission for this action";
  if (status >= 500) return "Discord had a server error; the request may succeed later";
  return null;
}

/**
 * Builds the message of a `DiscordApiError`, e.g.
 * `PUT /guilds/:guild/members/:user/roles/:role → 403 Missing Permissions (code 50013): the role sits above …`.
 */
export function explainDiscordError(input: {
  route: string;
  status: number;
  code: number | null;
  discordMessage: string | null;
  errors?: unknown;
}): string {
  const what = input.discordMessage ?? `HTTP ${input.status}`;
  const codePart = input.code !== null && input.code !== 0 ? ` (code ${input.code})` : "";
  const tip = advice(input.status, input.code, input.route);
  const fields = flattenFormErrors(input.errors).slice(0, 5);
  const fieldPart = fields.length > 0 ? ` [${fields.join("; ")}]` : "";
  return `${input.route} → ${input.status} ${what}${codePart}${tip ? `: ${tip}` : ""}${fieldPart}`;
}
