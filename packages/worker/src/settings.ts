import {
  type ProcessSettings,
  ProcessSettingsError,
  parseProcessSettings,
  parseWorkerSettings,
  type WorkerSettings,
} from "@guildkit/config";

/**
 * Reads the HTTP server's process settings at start. On a problem, prints one line per problem and
 * exits 1 — a clear message, not a stack trace.
 */
export function loadProcessSettings(env: NodeJS.ProcessEnv): ProcessSettings {
  return orExit(() => parseProcessSettings(env));
}

/** Reads a worker's process settings (no server variables needed) at start; exits 1 on a problem. */
export function loadWorkerSettings(env: NodeJS.ProcessEnv): WorkerSettings {
  return orExit(() => parseWorkerSettings(env));
}

function orExit<Settings>(parse: () => Settings): Settings {
  try {
    return parse();
  } catch (error) {
    if (error instanceof ProcessSettingsError) {
      console.error(error.message);
      process.exit(1);
    }
    throw error;
  }
}
