import { DISCORD_ERRORS, type DiscordErrorBody, invalidFormBody } from "./errors";
import type { SimHonoContext } from "./pipeline";

/** A body Discord refuses: the status and error to answer. */
export interface BodyError {
  ok: false;
  status: number;
  body: DiscordErrorBody;
}

/** A request body read as Discord reads it: the parsed value, or the error to answer. */
export type ReadBody<T = unknown> = { ok: true; value: T } | BodyError;

/** The 50035 Discord answers for a body whose Content-Type it does not take. */
export function contentTypeInvalid(accepted: string[]): BodyError {
  return {
    ok: false,
    status: 400,
    body: invalidFormBody([
      {
        path: [],
        leaf: {
          code: "CONTENT_TYPE_INVALID",
          message: `Expected "Content-Type" header to be one of {${accepted.map((t) => `'${t}'`).join(", ")}}.`,
        },
      },
    ]),
  };
}

/** Parses JSON text: 50109 when it is not JSON. */
export function parseJsonText(raw: string): ReadBody {
  try {
    return { ok: true, value: JSON.parse(raw) };
  } catch {
    return { ok: false, ...DISCORD_ERRORS.invalidJson };
  }
}

/** Whether a parsed body is a JSON object (Discord's "dictionary"). */
export function isDictionary(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** The 50035 for a body that is not a JSON object. */
export const NOT_A_DICTIONARY: BodyError = {
  ok: false,
  status: 400,
  body: invalidFormBody([
    { path: [], leaf: { code: "DICT_TYPE_CONVERT", message: "Only dictionaries may be used in a DictType" } },
  ]),
};

/** Reads an `application/json` body (any other Content-Type is 50035, bad JSON 50109). */
export async function readJsonBody(c: SimHonoContext): Promise<ReadBody> {
  const type = (c.req.header("content-type") ?? "").toLowerCase();
  if (!type.startsWith("application/json")) return contentTypeInvalid(["application/json"]);
  return parseJsonText(await c.req.text());
}

/** Answers a failed read. */
export function answerBodyError(
  c: SimHonoContext,
  read: { status: number; body: DiscordErrorBody },
): Response {
  return c.json(read.body, read.status as 400);
}
