import type { Command } from "commander";
import { runSecretsRotate } from "../secrets-command";
import type { CliIo } from "./io";
import { withStore } from "./store";

/** `guildkit secrets rotate`. */
export function registerSecrets(program: Command, io: CliIo, done: (code: number) => void): void {
  const secrets = program
    .command("secrets")
    .description("the stored secrets (sealed with GUILDKIT_SECRET_KEY)");
  secrets
    .command("rotate")
    .description("re-encrypt every stored secret with the first key of GUILDKIT_SECRET_KEY")
    .addHelpText(
      "after",
      "\nRun with GUILDKIT_SECRET_KEY=<new>,<old>. Exit codes: 0 done, 1 a value opens with none of the keys (nothing changed) or the key is missing, 2 usage.",
    )
    .action(async () => {
      // migrate first: seals what an older version left in plaintext
      done(
        await withStore(io, { migrate: true }, (store) =>
          runSecretsRotate(store, { out: io.out, err: io.err, ...(io.signal ? { signal: io.signal } : {}) }),
        ),
      );
    });
}
