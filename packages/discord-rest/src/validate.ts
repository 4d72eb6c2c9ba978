import type { z } from "zod";
import { DiscordResponseError } from "./errors";
import type { RawResponse } from "./pipeline-config";
import type { Route } from "./route";
import { describeIssues } from "./schemas";

/** The body of a 2xx answer parsed by `schema`, or {@link DiscordResponseError} naming where it differs. */
export function validate<S extends z.ZodType>(schema: S, response: RawResponse, route: Route): z.output<S> {
  const parsed = schema.safeParse(response.json);
  if (parsed.success) return parsed.data;
  const issues = describeIssues(parsed.error);
  throw new DiscordResponseError(
    `${route.template} answered ${response.status} with an unexpected body (${issues.slice(0, 3).join("; ")})`,
    { route: route.template, status: response.status, issues },
  );
}
