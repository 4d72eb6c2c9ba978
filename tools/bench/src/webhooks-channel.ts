/**
 * The shared channel part of `pnpm bench:webhooks`: three webhooks posting into one channel, with
 * Discord's hidden per-channel limit on (30 messages per window, shared by the channel's webhooks;
 * the window shortened to 5 s so the part takes seconds, and the worker's channel budget told the
 * same). Measures the 429s (the goal is 0), the messages per second against the channel's ceiling,
 * and, as the baseline in the same run, the same delivery with the worker's budget turned off.
 */
import { startDiscordSim } from "@guildkit/discord-sim";
import { createChannelBudget } from "@guildkit/webhook-templates";
import { createWebhookWorker } from "@guildkit/worker";
import { sql } from "kysely";
import { createTable, round, type Target } from "./webhooks-common";

const WINDOW_MS = 5_000;
const LIMIT = 30;
const PER_HOOK = 40;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function once(t: Target, budgetOn: boolean) {
  const sim = await startDiscordSim({
    globalPerSecond: 100_000,
    routeLimits: { execute_webhook: { limit: 100_000, windowMs: 1_000 } },
    resourceLimits: { channel_messages: { limit: LIMIT, windowMs: WINDOW_MS } },
  });
  const { store, close } = await t.open();
  sim.seed.application({});
  sim.seed.guild({ id: "1100000000000000000" });
  const channel = "1200000000000000001";
  sim.seed.channel({ guildId: "1100000000000000000", id: channel });
  await createTable(store, "chan_items");
  const hooks: string[] = [];
  for (let i = 0; i < 3; i++) {
    const id = (1250000000000000001n + BigInt(i)).toString();
    sim.seed.webhook({ channelId: channel, id, token: "bench-token" });
    await store.webhooks.create({
      url: `https://discord.com/api/webhooks/${id}/bench-token`,
      template: `${i} {label}`,
      table: "chan_items",
      operation: "INSERT",
    });
    hooks.push(id);
  }
  for (let i = 0; i < PER_HOOK; i++)
    await sql`insert into chan_items (label) values (${`e${i}`})`.execute(store.kysely);
  const total = hooks.length * PER_HOOK;
  const worker = createWebhookWorker({
    store,
    discordApiBaseUrl: sim.apiBaseUrl,
    owner: "bench",
    rps: 1000,
    delivery: {
      idleWaitMs: 100,
      channelBudget: budgetOn
        ? createChannelBudget({ limit: LIMIT, windowMs: WINDOW_MS, marginMs: 250 })
        : null,
    },
  });
  const controller = new AbortController();
  const started = performance.now();
  const running = worker.delivery.run({ signal: controller.signal });
  const deadline = Date.now() + 120_000;
  while (sim.inspect.messages().length < total && Date.now() < deadline) await sleep(20);
  const seconds = (performance.now() - started) / 1000;
  controller.abort();
  await running;
  const ordered = hooks.every((id, i) =>
    sim.inspect
      .messages(id)
      .map((m) => m.content)
      .every((c, n) => c === `${i} e${n}`),
  );
  const result = {
    messages: sim.inspect.messages().length,
    seconds: round(seconds),
    messages_per_s: round(sim.inspect.messages().length / seconds),
    rate_limited_429: sim.inspect.rateLimited().total,
    ordered,
  };
  await worker.rest?.close();
  await close();
  await sim.close();
  return result;
}

/** Both runs, the budget's and the baseline's (budget off: the client waits out each shared 429). */
export async function sharedChannel(t: Target) {
  const budget = await once(t, true);
  const baseline = await once(t, false);
  return {
    webhooks: 3,
    channel_limit: `${LIMIT} per ${WINDOW_MS / 1000} s`,
    ceiling_per_s: round(LIMIT / (WINDOW_MS / 1000)),
    with_budget: budget,
    without_budget: baseline,
  };
}
