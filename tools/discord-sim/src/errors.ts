/** Why the simulator refused a seed, an inspection or an in-process OAuth step. */
export type DiscordSimErrorCode =
  | "unknown_guild"
  | "unknown_user"
  | "unknown_channel"
  | "unknown_webhook"
  | "invalid_snowflake"
  | "invalid_seed"
  | "invalid_fault"
  | "invalid_authorize_request";

/** Thrown by `sim.seed.*`, `sim.authorize` and the `/_sim` API when a request cannot be honoured. */
export class DiscordSimError extends Error {
  override readonly name = "DiscordSimError";
  readonly code: DiscordSimErrorCode;
  constructor(code: DiscordSimErrorCode, message: string) {
    super(message);
    this.code = code;
  }
}

/** A Discord JSON error body: `{ message, code }`, plus `errors` for 50035. */
export interface DiscordErrorBody {
  message: string;
  code: number;
  errors?: Record<string, unknown>;
}

/** A leaf of a 50035 error tree. */
export interface FormErrorLeaf {
  code: string;
  message: string;
}

/**
 * Messages Discord uses for the JSON codes the simulator answers.
 * @see https://discord.com/developers/docs/topics/opcodes-and-status-codes#json
 */
export const DISCORD_ERRORS = {
  unauthorized: { status: 401, body: { message: "401: Unauthorized", code: 0 } },
  notFound: { status: 404, body: { message: "404: Not Found", code: 0 } },
  methodNotAllowed: { status: 405, body: { message: "405: Method Not Allowed", code: 0 } },
  unknownApplication: { status: 404, body: { message: "Unknown Application", code: 10002 } },
  unknownChannel: { status: 404, body: { message: "Unknown Channel", code: 10003 } },
  unknownGuild: { status: 404, body: { message: "Unknown Guild", code: 10004 } },
  unknownMember: { status: 404, body: { message: "Unknown Member", code: 10007 } },
  unknownMessage: { status: 404, body: { message: "Unknown Message", code: 10008 } },
  unknownRole: { status: 404, body: { message: "Unknown Role", code: 10011 } },
  unknownUser: { status: 404, body: { message: "Unknown User", code: 10013 } },
  unknownWebhook: { status: 404, body: { message: "Unknown Webhook", code: 10015 } },
  maxGuilds: { status: 400, body: { message: "Maximum number of guilds reached (100)", code: 30001 } },
  bannedFromGuild: { status: 403, body: { message: "The user is banned from this guild.", code: 40007 } },
  missingAccess: { status: 403, body: { message: "Missing Access", code: 50001 } },
  emptyMessage: { status: 400, body: { message: "Cannot send an empty message", code: 50006 } },
  missingPermissions: { status: 403, body: { message: "Missing Permissions", code: 50013 } },
  invalidOAuthToken: { status: 403, body: { message: "Invalid OAuth2 access token", code: 50025 } },
  invalidWebhookToken: { status: 401, body: { message: "Invalid Webhook Token", code: 50027 } },
  invalidApiVersion: { status: 400, body: { message: "Invalid API version provided", code: 50041 } },
  invalidJson: { status: 400, body: { message: "The request body contains invalid JSON.", code: 50109 } },
} as const satisfies Record<string, { status: number; body: DiscordErrorBody }>;

/** Builds a nested 50035 `errors` tree from `(path, leaf)` pairs (array indices become string keys). */
export function formErrorTree(
  issues: { path: (string | number)[]; leaf: FormErrorLeaf }[],
): Record<string, unknown> {
  const root: Record<string, unknown> = {};
  for (const { path, leaf } of issues) {
    let node = root;
    for (const key of path) {
      const k = String(key);
      let next = node[k] as Record<string, unknown> | undefined;
      if (!next) {
        next = {};
        node[k] = next;
      }
      node = next;
    }
    const list = (node._errors as FormErrorLeaf[] | undefined) ?? [];
    list.push(leaf);
    node._errors = list;
  }
  return root;
}

/** The 50035 "Invalid Form Body" body for the given issues. */
export function invalidFormBody(
  issues: { path: (string | number)[]; leaf: FormErrorLeaf }[],
): DiscordErrorBody {
  return { message: "Invalid Form Body", code: 50035, errors: formErrorTree(issues) };
}

/** A 50035 body for a path parameter that is not a snowflake. */
export function notSnowflake(param: string, value: string): DiscordErrorBody {
  return invalidFormBody([
    { path: [param], leaf: { code: "NUMBER_TYPE_COERCE", message: `Value "${value}" is not snowflake.` } },
  ]);
}

/**
 * The 429 body's code and message when a channel's write limit is hit (every webhook posting into the
 * channel shares it); verified by Discord staff in discord-api-docs#8290.
 */
export const CHANNEL_WRITE_LIMIT = {
  code: 20028,
  message: "The write action you are performing on the channel has hit the write rate limit.",
} as const;
