// Compiled and run by `pnpm check:packages` in its scratch project, once per ioredis major that
// @guildkit/discord-rest's optional peer range names: the published types accept ioredis's own
// `RedisOptions` and client, and a clustered budget works against Redis and discord-sim.

import { createRequire } from "node:module";
import { createBottleneckLimiter, createDiscordRest } from "@guildkit/discord-rest";
import { seedDemo, startDiscordSim } from "@guildkit/discord-sim";
import { Redis, type RedisOptions } from "ioredis";

const url = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
const { hostname, port } = new URL(url);
const options: RedisOptions = { host: hostname, port: Number(port || 6379), maxRetriesPerRequest: 2 };
const client = new Redis(url);
const sim = await startDiscordSim();
const demo = seedDemo(sim);
const id = `guildkit-check-packages-${process.pid}-${Math.random().toString(36).slice(2)}`;

let requests = 0;
for (const redis of [
  { url, id },
  { options, id },
  { client, id },
]) {
  const limiter = createBottleneckLimiter({ rps: 20, redis });
  const discord = createDiscordRest({
    token: demo.application.botToken,
    apiBaseUrl: sim.apiBaseUrl,
    limiter,
  });
  const member = await discord.getGuildMember({ guildId: demo.guildId, userId: demo.users.alice });
  if (member?.user?.id !== demo.users.alice) throw new Error(`unexpected member: ${JSON.stringify(member)}`);
  requests += 1;
  await discord.close();
  await limiter.close?.();
}
if (client.status !== "ready") throw new Error(`the caller's client was closed (status ${client.status})`);
await client.quit();
await sim.close();
const { version } = createRequire(import.meta.url)("ioredis/package.json") as { version: string };
console.log(`ioredis ${version}: ${requests} requests through a clustered budget (url, options, client)`);
