import type { Command } from "commander";
import { type CliIo, EXIT } from "./io";
import { withStore } from "./store";

/** `guildkit migrate`: applies the pending migrations and names them. */
export function registerMigrate(program: Command, io: CliIo, done: (code: number) => void): void {
  program
    .command("migrate")
    .description("apply the database migrations not applied yet (the server and worker also do at start)")
    .action(async () => {
      done(
        await withStore(io, { migrate: false }, async (store) => {
          const report = await store.migrate({ signal: io.signal });
          io.out.write(
            report.applied.length === 0
              ? "the database is up to date\n"
              : `applied ${report.applied.length} migration(s): ${report.applied.join(", ")}\n`,
          );
          return EXIT.ok;
        }),
      );
    });
}
