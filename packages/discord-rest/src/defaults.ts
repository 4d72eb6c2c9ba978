import packageJson from "../package.json" with { type: "json" };

/** Time source (the shared `Clock` port shape). */
export interface Clock {
  now(): Date;
}

/** Every I/O method accepts an AbortSignal. */
export interface SignalOptions {
  signal?: AbortSignal;
}

/** Default REST base. */
export const DISCORD_API_BASE_URL = "https://discord.com/api/v10";
/** Default CDN base. */
export const DISCORD_CDN_BASE_URL = "https://cdn.discordapp.com";
/** This package's version, used in the default User-Agent. */
export const VERSION: string = packageJson.version;
/** `DiscordBot (https://github.com/guildkit/guildkit, <version>)`, the format Discord requires. */
export const DEFAULT_USER_AGENT = `DiscordBot (https://github.com/guildkit/guildkit, ${VERSION})`;
