import { type ProcessSettings, ProcessSettingsError, parseProcessSettings } from "@guildkit/config";

/**
 * Reads the process settings at start. On a problem, prints one line per problem and exits 1 —
 * a clear message, not a stack trace.
 */
export function loadProcessSettings(env: NodeJS.ProcessEnv): ProcessSettings {
  try {
    return parseProcessSettings(env);
  } catch (error) {
    if (error instanceof ProcessSettingsError) {
      console.error(error.message);
      process.exit(1);
    }
    throw error;
  }
}
