import { configFromEnv } from "@guildkit/example-shared";
import { startExpressExample } from "./app";

const config = configFromEnv();
const running = await startExpressExample({ ...config, port: Number(process.env.PORT ?? 3000) });
console.log(
  `Express example listening on ${running.url}: open ${config.publicUrl} and press "Login with Discord"`,
);
