export { configFromEnv, createDiscordLogin, type DiscordLogin, type ExampleConfig } from "./discord-login";
export { closeServer, listen, type RunningExample } from "./serve";
