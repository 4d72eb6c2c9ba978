import { randomUUID } from "node:crypto";
import { hostname } from "node:os";
import type { MemberResult } from "@guildkit/role-reconciler";
import type { Command } from "commander";
import { runReconcileCommand } from "../reconcile-command";
import { createRoleSync } from "../role-sync";
import { CliSettingsError } from "./errors";
import { type CliIo, EXIT } from "./io";
import { withStore } from "./store";

type Sync = ReturnType<typeof createRoleSync>;

/** Runs `fn` with the role sync wired to the store (a CLI lease owner of its own). */
function withRoleSync(
  io: CliIo,
  fn: (sync: Sync, store: Parameters<Parameters<typeof withStore>[2]>[0]) => Promise<number>,
) {
  return withStore(io, { migrate: true }, async (store, settings) => {
    const sync = createRoleSync({
      store,
      discordApiBaseUrl: settings.discordApiBaseUrl,
      discordCdnBaseUrl: settings.discordCdnBaseUrl,
      redisUrl: settings.redisUrl,
      owner: `cli:${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`,
    });
    try {
      return await fn(sync, store);
    } finally {
      await sync.close();
    }
  });
}

/**
 * `guildkit reconcile --all [--dry-run]` (through `runReconcileCommand`) and
 * `guildkit reconcile member <id>`.
 */
export function registerReconcile(program: Command, io: CliIo, done: (code: number) => void): void {
  const reconcile = program
    .command("reconcile")
    .description("re-check linked members now and fix their guild roles")
    .option("--all", "every linked member")
    .option(
      "--dry-run",
      "print who would gain and lose which role, and who is not in the guild; change nothing",
    )
    .addHelpText(
      "after",
      "\nExit codes: 0 done, 1 permanent errors or the guild blocked (see the event log), 2 usage or incomplete settings, 3 database unreachable.",
    )
    .action(async (opts: { all?: boolean; dryRun?: boolean }) => {
      if (!opts.all) {
        reconcile.outputHelp({ error: true });
        done(EXIT.usage);
        return;
      }
      done(
        await withRoleSync(io, (sync, store) =>
          runReconcileCommand(sync, store.roleSync.queue, {
            dryRun: opts.dryRun === true,
            out: io.out,
            err: io.err,
            ...(io.signal ? { stop: io.signal } : {}),
          }),
        ),
      );
    });
  reconcile
    .command("member <memberId>")
    .description("mark one linked member (guildkit's member id) due and reconcile now")
    .action(async (memberId: string) => {
      if (!/^\d+$/.test(memberId))
        throw new CliSettingsError(`member id must be a number, got ${JSON.stringify(memberId)}`);
      done(
        await withRoleSync(io, async (sync, store) => {
          const loaded = await sync.loadSettings({ signal: io.signal });
          if (loaded.status === "incomplete") {
            throw new CliSettingsError(`role sync is not configured; missing: ${loaded.missing.join(", ")}`);
          }
          const marked = await store.roleSync.queue.markDue({ now: new Date(), memberIds: [memberId] });
          if (marked === 0) {
            io.err.write(`no linked member ${memberId} (guildkit's member id, not the Discord user id)\n`);
            return EXIT.failed;
          }
          const results: MemberResult[] = [];
          const summary = await sync.reconciler.drain({
            settings: loaded.settings,
            gateway: loaded.gateway,
            onMember: (r) => {
              if (r.memberId === memberId) results.push(r);
            },
            ...(io.signal ? { stop: io.signal } : {}),
          });
          const r = results.at(-1);
          if (!r) {
            io.err.write(
              `member ${memberId} was not reconciled (${summary.blockedUntil ? "the guild is blocked" : "stopped"}); see the event log\n`,
            );
            return EXIT.failed;
          }
          io.out.write(
            `member ${memberId}: ${r.state}, roles added ${r.added}, removed ${r.removed}${r.error ? ` (${r.error})` : ""}\n`,
          );
          return r.state === "permanent_error" ? EXIT.failed : EXIT.ok;
        }),
      );
    });
}
