export {
  configFromEnv,
  createDiscordLogin,
  type DiscordLogin,
  type ExampleConfig,
  type LoginRoute,
  loginRoutes,
} from "./discord-login";
export { closeServer, listen, type RunningExample, startNodeExample } from "./serve";
