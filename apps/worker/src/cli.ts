import { randomUUID } from "node:crypto";
import { hostname } from "node:os";
import { parseArgs } from "node:util";
import { loadWorkerSettings, openStore, shutdownSignal } from "@guildkit/runtime";
import { runReconcileCommand } from "./reconcile-command";
import { createRoleSync } from "./role-sync";
import { runSecretsRotate } from "./secrets-command";

const USAGE = `usage: guildkit reconcile --all [--dry-run]
       guildkit secrets rotate

  reconcile --all            re-check every linked member now and fix their guild roles
  reconcile --all --dry-run  print who would gain and lose which role, and who is not in the guild
  secrets rotate             re-encrypt every stored secret with the first key of GUILDKIT_SECRET_KEY
`;

/** The `guildkit` command line. Resolves the exit code. */
export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === "secrets") return secrets(rest);
  if (command !== "reconcile") {
    process.stderr.write(USAGE);
    return command === undefined || command === "--help" ? 0 : 2;
  }
  const { values } = parseArgs({
    args: rest,
    options: { all: { type: "boolean" }, "dry-run": { type: "boolean" }, help: { type: "boolean" } },
    strict: true,
  });
  if (values.help || !values.all) {
    process.stderr.write(USAGE);
    return values.help ? 0 : 2;
  }
  const settings = loadWorkerSettings(process.env);
  const store = await openStore(settings);
  const stop = shutdownSignal();
  try {
    await store.migrate();
    const sync = createRoleSync({
      store,
      discordApiBaseUrl: settings.discordApiBaseUrl,
      discordCdnBaseUrl: settings.discordCdnBaseUrl,
      redisUrl: settings.redisUrl,
      owner: `cli:${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`,
    });
    try {
      return await runReconcileCommand(sync, store.roleSync.queue, {
        dryRun: values["dry-run"] === true,
        out: { write: (t) => process.stdout.write(t), isTTY: process.stdout.isTTY === true },
        err: { write: (t) => process.stderr.write(t) },
        stop,
      });
    } finally {
      await sync.close();
    }
  } finally {
    await store.close();
  }
}

/** `guildkit secrets rotate`. */
async function secrets(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    options: { help: { type: "boolean" } },
    allowPositionals: true,
    strict: true,
  });
  if (values.help || positionals.length !== 1 || positionals[0] !== "rotate") {
    process.stderr.write(USAGE);
    return values.help ? 0 : 2;
  }
  const settings = loadWorkerSettings(process.env);
  const store = await openStore(settings);
  try {
    await store.migrate(); // seals what an older version left in plaintext
    return await runSecretsRotate(store, {
      out: { write: (t) => process.stdout.write(t) },
      err: { write: (t) => process.stderr.write(t) },
      signal: shutdownSignal(),
    });
  } finally {
    await store.close();
  }
}

if (import.meta.url === `file://${process.argv[1]}` || process.argv[1]?.endsWith("/cli.ts")) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error) => {
      process.stderr.write(`guildkit: ${error instanceof Error ? error.message : String(error)}\n`);
      process.exit(1);
    },
  );
}
