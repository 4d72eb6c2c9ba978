import { configFromEnv } from "@guildkit/example-shared";
import { startHonoExample } from "./app";

const running = await startHonoExample({ ...configFromEnv(), port: Number(process.env.PORT ?? 3000) });
console.log(`Hono example on ${running.url} — open it and press "Login with Discord"`);
