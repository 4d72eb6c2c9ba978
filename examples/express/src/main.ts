import { configFromEnv } from "@guildkit/example-shared";
import { startExpressExample } from "./app";

const running = await startExpressExample({ ...configFromEnv(), port: Number(process.env.PORT ?? 3000) });
console.log(`Express example on ${running.url} — open it and press "Login with Discord"`);
