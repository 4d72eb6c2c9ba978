import type { SetupCheckResult } from "./types";

export const pass = (id: string, title: string, message: string): SetupCheckResult => ({
  id,
  title,
  status: "pass",
  message,
  fix: null,
});

export const fail = (id: string, title: string, message: string, fix: string): SetupCheckResult => ({
  id,
  title,
  status: "fail",
  message,
  fix,
});

export const warn = (id: string, title: string, message: string, fix: string): SetupCheckResult => ({
  id,
  title,
  status: "warn",
  message,
  fix,
});

export const skip = (id: string, title: string, message: string): SetupCheckResult => ({
  id,
  title,
  status: "skip",
  message,
  fix: null,
});

/** A check that could not get an answer (network, timeout, 5xx): failed, with what to look at. */
export function unreachable(id: string, title: string, error: unknown): SetupCheckResult {
  const text = error instanceof Error ? error.message : String(error);
  return fail(
    id,
    title,
    `no usable answer from Discord: ${text}`,
    "Check that this machine reaches Discord (DISCORD_API_BASE_URL, proxy, firewall) and run the doctor again.",
  );
}

/** The HTTP status and Discord code of a client error, when it has them. */
export function statusOf(error: unknown): { status: number | null; code: number | null } {
  const e = error as { status?: unknown; code?: unknown } | null;
  return {
    status: typeof e?.status === "number" ? e.status : null,
    code: typeof e?.code === "number" ? e.code : null,
  };
}
