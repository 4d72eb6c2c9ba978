#!/usr/bin/env node
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { seedDemo } from "./demo";
import { applySeedBatch } from "./seed-batch";
import { startDiscordSim } from "./sim";
import type { DiscordSimOptions } from "./types";

const USAGE = `discord-sim — a local Discord API v10 + PluralKit API v2

Usage: discord-sim [options]      (in the guildkit repository: pnpm --filter @guildkit/discord-sim start)

  --port <n>                port to listen on (default $PORT or 3210; 0 = ephemeral)
  --host <addr>             interface to bind (default 127.0.0.1)
  --seed <file.json>        load a seed document after the demo world (see README)
  --no-demo                 start empty (no demo application, guild or users)
  --global-per-second <n>   Discord global limit per bot token (default 50)
  --pluralkit-per-second <n> PluralKit limit per client (default 10)
  --strict-user-agent       answer 403 to User-Agents not starting with "DiscordBot"
  --access-token-ttl <s>    OAuth2 access token lifetime in seconds (default 604800)
  --no-channel-limit        turn off the shared per-channel webhook message limit (30 per 60 s)
  --help                    show this text`;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: "string" },
      host: { type: "string" },
      seed: { type: "string" },
      "no-demo": { type: "boolean" },
      "global-per-second": { type: "string" },
      "pluralkit-per-second": { type: "string" },
      "strict-user-agent": { type: "boolean" },
      "access-token-ttl": { type: "string" },
      "no-channel-limit": { type: "boolean" },
      help: { type: "boolean" },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return;
  }
  const number = (name: string, raw: string | undefined): number | undefined => {
    if (raw === undefined) return undefined;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < 0)
      throw new Error(`--${name} must be a non-negative integer, got "${raw}"`);
    return n;
  };
  const options: DiscordSimOptions = {
    port: number("port", values.port ?? process.env.PORT) ?? 3210,
    host: values.host ?? "127.0.0.1",
    strictUserAgent: values["strict-user-agent"] ?? false,
  };
  const globalPerSecond = number("global-per-second", values["global-per-second"]);
  if (globalPerSecond !== undefined) options.globalPerSecond = globalPerSecond;
  const pluralkitPerSecond = number("pluralkit-per-second", values["pluralkit-per-second"]);
  if (pluralkitPerSecond !== undefined) options.pluralkitPerSecond = pluralkitPerSecond;
  const accessTokenTtl = number("access-token-ttl", values["access-token-ttl"]);
  if (accessTokenTtl !== undefined) options.accessTokenTtlSeconds = accessTokenTtl;
  if (values["no-channel-limit"]) options.resourceLimits = { channel_messages: null };

  const sim = await startDiscordSim(options);
  const lines = [`discord-sim listening on ${sim.url}`];
  lines.push(`  Discord API      ${sim.apiBaseUrl}`);
  lines.push(`  OAuth2 authorize ${sim.authorizeUrl}`);
  lines.push(`  OAuth2 token     ${sim.url}/api/oauth2/token`);
  lines.push(`  CDN              ${sim.cdnBaseUrl}`);
  lines.push(`  PluralKit API    ${sim.pluralkitBaseUrl}`);
  lines.push(`  Control API      ${sim.url}/_sim`);
  if (!values["no-demo"]) {
    const demo = seedDemo(sim);
    lines.push("", "Demo world (development values, not secrets):");
    lines.push(`  client id        ${demo.application.clientId}`);
    lines.push(`  client secret    ${demo.application.clientSecret}`);
    lines.push(`  bot token        ${demo.application.botToken}`);
    lines.push(`  redirect URIs    ${demo.application.redirectUris.join("\n                   ")}`);
    lines.push(`  guild id         ${demo.guildId}`);
    lines.push(`  "Member" role id ${demo.memberRoleId}`);
    lines.push(
      `  users            alice ${demo.users.alice} (verified email), bob ${demo.users.bob} (unverified), carol ${demo.users.carol} (no email, not in guild)`,
    );
    lines.push(`  webhook URL      ${sim.apiBaseUrl}/webhooks/${demo.webhook.id}/${demo.webhook.token}`);
    lines.push(
      `  try              ${sim.authorizeUrl}?client_id=${demo.application.clientId}&response_type=code&scope=identify%20email&redirect_uri=${encodeURIComponent(demo.application.redirectUris[0] ?? "")}`,
    );
  }
  if (values.seed) {
    const result = applySeedBatch(sim.seed, JSON.parse(readFileSync(values.seed, "utf8")));
    const counts = Object.entries(result)
      .map(([kind, value]) => `${kind}: ${Array.isArray(value) ? value.length : value}`)
      .join(", ");
    lines.push("", `Seeded from ${values.seed} (${counts})`);
  }
  console.log(lines.join("\n"));

  const stop = () => {
    sim.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
}

main().catch((error: unknown) => {
  console.error(`discord-sim: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
