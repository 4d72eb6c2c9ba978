import { SecretBoxError } from "@guildkit/core";
import type { CommandOutput } from "./reconcile-command";
import type { WorkerStore } from "./store";

/**
 * `guildkit secrets rotate`: re-seals every stored secret with the first key of
 * `GUILDKIT_SECRET_KEY` (`store.secrets.rotate()`, one transaction) and says what it did. Resolves
 * the exit code: 0 done, 1 when a value opens with none of the keys (nothing is changed then).
 */
export async function runSecretsRotate(
  store: Pick<WorkerStore, "secrets">,
  io: { out: CommandOutput; err: CommandOutput; signal?: AbortSignal },
): Promise<number> {
  try {
    const report = await store.secrets.rotate({ signal: io.signal });
    io.out.write(
      `re-sealed ${report.resealed} secret(s) with key ${report.keyId}` +
        ` (${report.current} already sealed with it${report.sealed > 0 ? `, ${report.sealed} were in plaintext` : ""}).\n` +
        "Every stored secret is now sealed with the first key: the others may be removed from GUILDKIT_SECRET_KEY.\n",
    );
    return 0;
  } catch (error) {
    if (!(error instanceof SecretBoxError)) throw error;
    io.err.write(`guildkit: nothing was re-sealed: ${error.message}\n`);
    return 1;
  }
}
