/**
 * `guildkit-worker relay` — the reference relay as a process:
 *
 *   guildkit relay --input events.jsonl --sink https://discord.com/api/webhooks/<id>/<token>
 *
 * `--input -` (the default) reads standard input. Options: `--delay-ms N` (speedbump delay, default
 * 4000), `--hold-all` (hold every user in speedbump channels). The bot token comes from the stored
 * Discord settings (`bot_token`); the database, the Discord and PluralKit base URLs and the log
 * level from the environment, read as a worker's settings (`loadWorkerSettings`: `DATABASE_URL`,
 * `DISCORD_API_BASE_URL`, `DISCORD_CDN_BASE_URL`, `PLURALKIT_BASE_URL`, `LOG_LEVEL`, `NODE_ENV`) — not
 * the server's.
 */
import { createReadStream } from "node:fs";
import { parseArgs } from "node:util";
import { createConfigLoader, discordConfigSpec } from "@guildkit/config";
import { createDiscordRest, createEventLogReporter } from "@guildkit/discord-rest";
import { createPluralKitApi } from "@guildkit/pluralkit-api";
import { createLogger } from "./logger";
import { createRelay, jsonLinesSource } from "./relay";
import { loadWorkerSettings } from "./settings";
import { shutdownSignal } from "./shutdown";
import { openStore } from "./store";

const { values } = parseArgs({
  args: process.argv.slice(2).filter((a) => a !== "relay"),
  options: {
    input: { type: "string", default: "-" },
    sink: { type: "string" },
    "delay-ms": { type: "string" },
    "hold-all": { type: "boolean", default: false },
  },
});
if (!values.sink) {
  console.error(
    "guildkit-worker relay: --sink <webhook url> is required (where relayed messages are posted)",
  );
  process.exit(2);
}
const delayMs = values["delay-ms"] === undefined ? undefined : Number(values["delay-ms"]);
if (delayMs !== undefined && !(Number.isInteger(delayMs) && delayMs >= 0)) {
  console.error(
    `guildkit-worker relay: --delay-ms must be a non-negative integer, got ${values["delay-ms"]}`,
  );
  process.exit(2);
}

const settings = loadWorkerSettings(process.env);
const logger = createLogger({ name: "guildkit-relay", level: settings.logLevel });
const store = await openStore(settings, { logger });
await store.migrate();
const discordSettings = await createConfigLoader({
  store: store.configStore,
  spec: discordConfigSpec,
}).loadComplete(["bot_token"]);
if (!discordSettings.ok) {
  console.error(
    `guildkit-worker relay: the Discord settings lack ${discordSettings.missing.join(", ")}; set them in the admin page first`,
  );
  await store.close();
  process.exit(2);
}

// The Discord client's own retries (429s waited out, 5xx/timeouts retried) go to the event log,
// aggregated; the counts held are written at the end.
const clientEvents = createEventLogReporter({ eventLog: store.eventLog, log: logger });
const relay = createRelay({
  store: store.speedbump,
  eventLog: store.eventLog,
  discord: createDiscordRest({
    token: discordSettings.values.bot_token,
    apiBaseUrl: settings.discordApiBaseUrl,
    cdnBaseUrl: settings.discordCdnBaseUrl,
    logger: clientEvents.logger,
  }),
  pluralkit: createPluralKitApi({
    baseUrl: settings.pluralkitBaseUrl,
    userAgent: "guildkit-relay/0.0 (+https://github.com/guildkit/guildkit)",
  }),
  sinkWebhookUrl: values.sink,
  speedbump: { ...(delayMs !== undefined ? { delayMs } : {}), holdAllUsers: values["hold-all"] },
  logger,
});
const signal = shutdownSignal((s) => logger.info({ signal: s }, "relay shutting down"));
const started = await relay.speedbump.start();
logger.info(started, "relay started");

const input = values.input === "-" ? process.stdin : createReadStream(values.input);
await relay.run(jsonLinesSource(input), signal);
await relay.stop();
await clientEvents.close();
logger.info(relay.stats(), "relay stopped");
console.log(JSON.stringify({ relay: relay.stats(), speedbump: relay.speedbump.stats() }));
await store.close();
