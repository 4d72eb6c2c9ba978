import { configFromEnv } from "@guildkit/example-shared";
import { startHonoExample } from "./app";

const config = configFromEnv();
const running = await startHonoExample({ ...config, port: Number(process.env.PORT ?? 3000) });
console.log(
  `Hono example listening on ${running.url}: open ${config.publicUrl} and press "Login with Discord"`,
);
