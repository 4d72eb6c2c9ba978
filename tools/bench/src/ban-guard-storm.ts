/**
 * One process of bench:ban-guard: sends `--calls` role adds that Discord refuses (403, a role above
 * the bot's), eight at a time, through a client whose ban guard counts in Redis (or not at all with
 * `--no-guard`), and prints one JSON line: how many were refused by Discord and by the guard.
 */
import {
  createDiscordRest,
  createRedisInvalidRequestLedger,
  DiscordBanGuardError,
} from "@guildkit/discord-rest";

const env = (name: string) => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is required`);
  return value;
};
const calls = Number(env("STORM_CALLS"));
const guarded = process.env.STORM_GUARD !== "off";
const discord = createDiscordRest({
  token: env("STORM_TOKEN"),
  apiBaseUrl: env("STORM_API"),
  rps: 400,
  banGuard: guarded
    ? { ledger: createRedisInvalidRequestLedger({ url: env("REDIS_URL"), key: env("STORM_KEY") }) }
    : false,
});
const seen = { forbidden: 0, refused: 0, other: 0 };
let next = 0;
await Promise.all(
  Array.from({ length: 8 }, async () => {
    while (next < calls) {
      next += 1;
      try {
        await discord.addGuildMemberRole({
          guildId: env("STORM_GUILD"),
          userId: env("STORM_USER"),
          roleId: env("STORM_ROLE"),
        });
        seen.other += 1;
      } catch (error) {
        if (error instanceof DiscordBanGuardError) seen.refused += 1;
        else if ((error as { status?: unknown }).status === 403) seen.forbidden += 1;
        else seen.other += 1;
      }
    }
  }),
);
await discord.close();
console.log(JSON.stringify(seen));
