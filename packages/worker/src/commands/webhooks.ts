import {
  parseRedeliverRange,
  parseRedeliverTime,
  RedeliverRangeError,
  type RedeliverTarget,
} from "@guildkit/webhook-templates";
import type { Command } from "commander";
import { CliUsageError } from "./errors";
import { type CliIo, EXIT } from "./io";
import { withStore } from "./store";

/** `guildkit webhooks list` and `guildkit webhooks redeliver`. */
export function registerWebhooks(program: Command, io: CliIo, done: (code: number) => void): void {
  const webhooks = program.command("webhooks").description("webhook definitions and their dead letters");
  webhooks
    .command("list")
    .description(
      "every webhook definition with its state and dead letters (URLs are not printed: they hold a secret)",
    )
    .option("--json", "print JSON")
    .action(async (opts: { json?: boolean }) => {
      done(
        await withStore(io, { migrate: true }, async (store) => {
          const hooks = await store.webhooks.list({ signal: io.signal });
          const dead = await store.webhooks.listDead({ limit: 1000, signal: io.signal });
          const rows = hooks.map((h) => ({
            id: h.id,
            table: h.table,
            operation: h.operation,
            enabled: h.enabled,
            disabledReason: h.disabledReason,
            dead: dead.filter((d) => d.webhookId === h.id).length,
          }));
          if (opts.json) io.out.write(`${JSON.stringify(rows, null, 2)}\n`);
          else if (rows.length === 0) io.out.write("no webhooks\n");
          else {
            for (const r of rows) {
              const state = r.enabled ? "enabled" : `disabled (${r.disabledReason ?? "by an admin"})`;
              io.out.write(`${r.id}  ${r.operation} on ${r.table}  ${state}  dead ${r.dead}\n`);
            }
          }
          return EXIT.ok;
        }),
      );
    });
  webhooks
    .command("redeliver")
    .description(
      "put dead events back in the queue: one event, one webhook's, all, or those whose change was written in a time range",
    )
    .option("--event <id>", "one dead event")
    .option("--webhook <id>", "every dead event of one webhook (with --since: of that webhook only)")
    .option("--all", "every dead event")
    .option(
      "--since <time>",
      "changes written at or after this time: ISO 8601 (2026-12-01T14:00Z) or a duration ago (90m, 2h, 3d)",
    )
    .option("--until <time>", "with --since: changes written before this time (same forms)")
    .addHelpText(
      "after",
      "\nExamples:\n  guildkit webhooks redeliver --since 2h                 # everything that died for the last 2 hours' changes\n  guildkit webhooks redeliver --since 2026-12-01T14:00Z --until 2026-12-01T15:00Z --webhook 3",
    )
    .action(
      async (opts: { event?: string; webhook?: string; all?: boolean; since?: string; until?: string }) => {
        const target = redeliverTarget(opts, new Date());
        done(
          await withStore(io, { migrate: true }, async (store) => {
            const n = await store.webhooks.redeliver(target, { signal: io.signal });
            io.out.write(`${n} dead event(s) queued again\n`);
            return EXIT.ok;
          }),
        );
      },
    );
}

const AGO = /^(\d+)(s|m|h|d)$/;
const UNIT_MS = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/** `--since`/`--until`: an ISO 8601 time, or a duration before `now` (`90m`, `2h`, `3d`). */
export function parseTimeOption(name: string, value: string, now: Date): Date {
  const ago = AGO.exec(value.trim());
  if (ago) return new Date(now.getTime() - Number(ago[1]) * UNIT_MS[ago[2] as keyof typeof UNIT_MS]);
  const date = parseRedeliverTime(value);
  if (!date)
    throw new CliUsageError(
      `--${name} must be an ISO 8601 time (2026-12-01T14:00Z) or a duration ago (90m, 2h, 3d), got "${value}"`,
    );
  return date;
}

/** The store's redelivery target from the options (exactly one of --event, --webhook, --all, --since). */
export function redeliverTarget(
  opts: { event?: string; webhook?: string; all?: boolean; since?: string; until?: string },
  now: Date,
): RedeliverTarget {
  if (opts.since !== undefined && (opts.event !== undefined || opts.all))
    throw new CliUsageError("--since goes with --webhook <id> or alone, not with --event or --all");
  let range: ReturnType<typeof parseRedeliverRange>;
  try {
    range = parseRedeliverRange({
      since: opts.since === undefined ? undefined : parseTimeOption("since", opts.since, now),
      until: opts.until === undefined ? undefined : parseTimeOption("until", opts.until, now),
    });
  } catch (error) {
    if (!(error instanceof RedeliverRangeError)) throw error;
    throw new CliUsageError(
      error.reason === "until_without_since" ? "--until needs --since" : "--until must be later than --since",
    );
  }
  if (range) return { ...range, ...(opts.webhook ? { webhookId: opts.webhook } : {}) };
  const chosen = [opts.event, opts.webhook, opts.all].filter((v) => v !== undefined).length;
  if (chosen !== 1)
    throw new CliUsageError(
      "webhooks redeliver needs exactly one of --event <id>, --webhook <id>, --all, --since <time>",
    );
  return opts.event ? { eventId: opts.event } : opts.webhook ? { webhookId: opts.webhook } : { all: true };
}
