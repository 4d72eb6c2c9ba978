import { type EnvironmentVariables, type ProcessSettings, parseProcessSettings } from "@guildkit/config";

/** The process settings the relay uses. */
export type RelaySettings = Pick<
  ProcessSettings,
  "environment" | "database" | "discordApiBaseUrl" | "discordCdnBaseUrl" | "pluralkitBaseUrl" | "logLevel"
>;

/** The environment variables the relay reads; the server's (`PUBLIC_BASE_URL`, `ADMIN_TOKEN`, …) are ignored. */
export const RELAY_VARIABLES = [
  "NODE_ENV",
  "DATABASE_URL",
  "DISCORD_API_BASE_URL",
  "DISCORD_CDN_BASE_URL",
  "PLURALKIT_BASE_URL",
  "LOG_LEVEL",
] as const;

/**
 * `parseProcessSettings` requires the server's settings; the relay has no use for them, so it
 * checks only its own variables and hands these stand-ins for the rest (never read).
 */
const NOT_USED_BY_THE_RELAY = {
  PUBLIC_BASE_URL: "http://relay.invalid",
  STATE_SIGNING_KEY: "not-used-by-the-relay".padEnd(32, "-"),
  ADMIN_TOKEN: "not-used-by-the-relay",
};

/**
 * Parses and checks the relay's settings ({@link RELAY_VARIABLES}) with the same rules and messages
 * as the server's and worker's process settings.
 *
 * @throws {ProcessSettingsError} naming each bad relay variable.
 */
export function parseRelaySettings(env: EnvironmentVariables): RelaySettings {
  const own = Object.fromEntries(RELAY_VARIABLES.map((name) => [name, env[name]]));
  const settings = parseProcessSettings({ ...own, ...NOT_USED_BY_THE_RELAY });
  return {
    environment: settings.environment,
    database: settings.database,
    discordApiBaseUrl: settings.discordApiBaseUrl,
    discordCdnBaseUrl: settings.discordCdnBaseUrl,
    pluralkitBaseUrl: settings.pluralkitBaseUrl,
    logLevel: settings.logLevel,
  };
}
