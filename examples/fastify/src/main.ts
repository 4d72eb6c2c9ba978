import { configFromEnv } from "@guildkit/example-shared";
import { startFastifyExample } from "./app";

const running = await startFastifyExample({ ...configFromEnv(), port: Number(process.env.PORT ?? 3000) });
console.log(`Fastify example on ${running.url} — open it and press "Login with Discord"`);
