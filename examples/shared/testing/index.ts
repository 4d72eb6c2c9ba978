export { Browser } from "./browser";
export {
  authorizeAt,
  describeDiscordLogin,
  type LoginWorld,
  PUBLIC_URL,
  startLoginWorld,
} from "./login-flow";
