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
    .description("put dead events back in the queue: one event, one webhook's, or all")
    .option("--event <id>", "one dead event")
    .option("--webhook <id>", "every dead event of one webhook")
    .option("--all", "every dead event")
    .action(async (opts: { event?: string; webhook?: string; all?: boolean }) => {
      const chosen = [opts.event, opts.webhook, opts.all].filter((v) => v !== undefined).length;
      if (chosen !== 1)
        throw new CliUsageError(
          "webhooks redeliver needs exactly one of --event <id>, --webhook <id>, --all",
        );
      const target = opts.event
        ? { eventId: opts.event }
        : opts.webhook
          ? { webhookId: opts.webhook }
          : { all: true as const };
      done(
        await withStore(io, { migrate: true }, async (store) => {
          const n = await store.webhooks.redeliver(target, { signal: io.signal });
          io.out.write(`${n} dead event(s) queued again\n`);
          return EXIT.ok;
        }),
      );
    });
}
