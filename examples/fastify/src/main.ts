import { configFromEnv } from "@guildkit/example-shared";
import { startFastifyExample } from "./app";

const config = configFromEnv();
const running = await startFastifyExample({ ...config, port: Number(process.env.PORT ?? 3000) });
console.log(
  `Fastify example listening on ${running.url}: open ${config.publicUrl} and press "Login with Discord"`,
);
