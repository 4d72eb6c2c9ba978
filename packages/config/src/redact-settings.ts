import type { ProcessSettings, WorkerSettings } from "./process-settings";

/**
 * A copy of the settings safe to log: signing key, admin token and secret keys masked, passwords
 * removed from the database and Redis URLs.
 */
export function redactProcessSettings(settings: WorkerSettings | ProcessSettings): Record<string, unknown> {
  const safe: Record<string, unknown> = {
    ...settings,
    database:
      settings.database.kind === "postgres"
        ? { kind: "postgres", url: redactUrlPassword(settings.database.url) }
        : { ...settings.database },
    redisUrl: settings.redisUrl === null ? null : redactUrlPassword(settings.redisUrl),
    secretKeys: settings.secretKeys.map(() => "••••"),
  };
  if ("stateSigningKey" in settings) safe.stateSigningKey = "••••";
  if ("adminToken" in settings) safe.adminToken = "••••";
  if (settings.metricsToken !== null) safe.metricsToken = "••••";
  return safe;
}

/** `settings` with `toJSON` and `util.inspect` showing {@link redactProcessSettings} (not enumerable). */
export function protectSecrets<Settings extends WorkerSettings>(settings: Settings): Settings {
  const safe = () => redactProcessSettings(settings);
  Object.defineProperty(settings, "toJSON", { value: safe, enumerable: false });
  Object.defineProperty(settings, Symbol.for("nodejs.util.inspect.custom"), {
    value: safe,
    enumerable: false,
  });
  return settings;
}

function redactUrlPassword(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/[^:/@\s]*):[^@/\s]*@/i, "$1:••••@");
}
