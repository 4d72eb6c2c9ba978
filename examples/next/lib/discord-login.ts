import { configFromEnv, createDiscordLogin, type DiscordLogin } from "@guildkit/example-shared";

// One per server process, made on the first request (kept on globalThis so `next dev` reloads reuse it).
const holder = globalThis as { discordLogin?: Promise<DiscordLogin> };

/** The guildkit login of this app, configured from the environment (see the README). */
export const discordLogin = (): Promise<DiscordLogin> => {
  holder.discordLogin ??= createDiscordLogin(configFromEnv());
  return holder.discordLogin;
};
