import pino, { type Logger } from "pino";

/** Paths whose values never reach a log line, wherever they appear. */
export const REDACTED_PATHS = [
  "*.token",
  "*.bot_token",
  "*.botToken",
  "*.client_secret",
  "*.clientSecret",
  "*.secret",
  "*.password",
  "*.authorization",
  "*.Authorization",
  "*.cookie",
  "*.accessToken",
  "*.access_token",
  "*.refresh_token",
  "*.webhookToken",
  "*.stateSigningKey",
  "*.adminToken",
  "headers.authorization",
  "headers.cookie",
  "req.headers.authorization",
  "req.headers.cookie",
];

/** The reference apps' logger: JSON lines on stdout, secrets redacted. */
export function createLogger(options: {
  name: string;
  level?: string;
  destination?: pino.DestinationStream;
}) {
  return pino(
    {
      name: options.name,
      level: options.level ?? "info",
      redact: { paths: REDACTED_PATHS, censor: "[redacted]" },
    },
    options.destination,
  );
}

export type { Logger };
