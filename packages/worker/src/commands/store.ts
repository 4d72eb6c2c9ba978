import { ProcessSettingsError, parseWorkerSettings, type WorkerSettings } from "@guildkit/config";
import { isDatabaseUnavailable, openStore, type WorkerStore } from "../store";
import { CliEnvironmentError, CliUnavailableError } from "./errors";
import type { CliIo } from "./io";

/** The worker's process settings from the command's environment (`CliEnvironmentError` when wrong). */
export function cliSettings(io: Pick<CliIo, "env">): WorkerSettings {
  try {
    return parseWorkerSettings(io.env);
  } catch (error) {
    if (error instanceof ProcessSettingsError) throw new CliEnvironmentError(error.message, error);
    throw error;
  }
}

/**
 * Runs `fn` with the store the environment names, migrated first unless `migrate: false`
 * (a database that does not answer is `CliUnavailableError`), and closes it.
 */
export async function withStore<T>(
  io: CliIo,
  opts: { migrate: boolean },
  fn: (store: WorkerStore, settings: WorkerSettings) => Promise<T>,
): Promise<T> {
  const settings = cliSettings(io);
  const store = await openStore(settings);
  try {
    if (opts.migrate) {
      try {
        await store.migrate({ signal: io.signal });
      } catch (error) {
        if (isDatabaseUnavailable(error)) {
          throw new CliUnavailableError(
            `the database does not answer (${describe(error)}); check DATABASE_URL`,
            error,
          );
        }
        throw error;
      }
    }
    return await fn(store, settings);
  } finally {
    await store.close();
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
