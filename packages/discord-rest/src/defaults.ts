import type { IoOptions } from "@guildkit/core";
import packageJson from "../package.json" with { type: "json" };

/** Every I/O method accepts an AbortSignal: `IoOptions` of `@guildkit/core`, under this package's old name. */
export type SignalOptions = IoOptions;

/** Default REST base. */
export const DISCORD_API_BASE_URL = "https://discord.com/api/v10";
/** Default CDN base. */
export const DISCORD_CDN_BASE_URL = "https://cdn.discordapp.com";
/** This package's version, used in the default User-Agent. */
export const VERSION: string = packageJson.version;
/** `DiscordBot (https://github.com/guildkit/guildkit, <version>)`, the format Discord requires. */
export const DEFAULT_USER_AGENT = `DiscordBot (https://github.com/guildkit/guildkit, ${VERSION})`;
