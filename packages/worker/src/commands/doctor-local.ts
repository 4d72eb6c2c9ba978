import { createConfigLoader, discordConfigSpec } from "@guildkit/config";
import type { SetupCheckInput, SetupCheckResult, SetupWebhook } from "@guildkit/discord-rest";
import { createPluralKitApi } from "@guildkit/pluralkit-api";
import { managedRoles, resolveRules, roleSyncConfigSpec } from "@guildkit/role-reconciler";
import { isDatabaseUnavailable, type WorkerStore } from "../store";

const fail = (id: string, title: string, message: string, fix: string): SetupCheckResult => ({
  id,
  title,
  status: "fail",
  message,
  fix,
});
const pass = (id: string, title: string, message: string): SetupCheckResult => ({
  id,
  title,
  status: "pass",
  message,
  fix: null,
});

/** `database`: the store answers and every migration is applied. */
export async function checkDatabase(
  store: Pick<WorkerStore, "pendingMigrations">,
  signal?: AbortSignal,
): Promise<SetupCheckResult> {
  const title = "the database is migrated";
  try {
    const pending = await store.pendingMigrations({ signal });
    if (pending.length === 0) return pass("database", title, "every migration is applied.");
    return fail(
      "database",
      title,
      `${pending.length} migration(s) not applied: ${pending.join(", ")}.`,
      "Run `guildkit migrate` (or start the server or a worker once: they migrate at start).",
    );
  } catch (error) {
    const text = error instanceof Error ? error.message : String(error);
    return fail(
      "database",
      title,
      isDatabaseUnavailable(error)
        ? `the database does not answer: ${text}`
        : `reading the migrations failed: ${text}`,
      "Check DATABASE_URL (a SQLite file path or postgres://user:password@host:5432/db) and that the database is running.",
    );
  }
}

const SECRET_FIELDS = new Set(
  Object.entries(discordConfigSpec.fields)
    .filter(([, f]) => f.secret)
    .map(([k]) => k),
);

/**
 * `secret_key` (the keys of `GUILDKIT_SECRET_KEY` open every stored secret) and `settings` (the
 * stored Discord and role-sync settings are valid), then the values the Discord checks need — each
 * setting read on its own, so one bad field does not hide the others.
 */
export async function readSetupSettings(
  store: Pick<WorkerStore, "configStore" | "webhooks">,
  signal?: AbortSignal,
): Promise<{
  checks: SetupCheckResult[];
  /** Secret settings stored but not opened by the keys (the `secret_key` check names them). */
  unreadable: string[];
  input: Omit<SetupCheckInput, "apiBaseUrl" | "redirectUris">;
}> {
  const discord = createConfigLoader({ store: store.configStore, spec: discordConfigSpec });
  const rulesLoader = createConfigLoader({ store: store.configStore, spec: roleSyncConfigSpec });
  const described = await discord.describe({ signal });
  const rulesDescribed = await rulesLoader.describe({ signal });
  const checks: SetupCheckResult[] = [];
  const unreadable = described.issues.filter((i) => SECRET_FIELDS.has(i.field));
  checks.push(
    unreadable.length === 0
      ? pass(
          "secret_key",
          "the secret key opens the stored secrets",
          "GUILDKIT_SECRET_KEY opens every stored secret.",
        )
      : fail(
          "secret_key",
          "the secret key opens the stored secrets",
          unreadable.map((i) => `${i.field}: ${i.message}`).join("; "),
          "Start with the key that sealed them first in GUILDKIT_SECRET_KEY (comma-separated: <new>,<old>), then `guildkit secrets rotate`; or save the secret again.",
        ),
  );
  const invalid = [
    ...described.issues.filter((i) => !SECRET_FIELDS.has(i.field)),
    ...rulesDescribed.issues.map((i) => ({ ...i, field: `role_sync.${i.field}` })),
  ];
  checks.push(
    invalid.length === 0
      ? pass(
          "settings",
          "the stored settings are valid",
          `discord version ${described.version}, role_sync version ${rulesDescribed.version}.`,
        )
      : fail(
          "settings",
          "the stored settings are valid",
          invalid.map((i) => `${i.field}: ${i.message}`).join("; "),
          "Save the named settings again (`guildkit config set discord <key> <value>` or the admin console's settings page).",
        ),
  );
  const one = async <K extends "bot_token" | "client_id" | "client_secret" | "guild_id" | "role_ids">(
    key: K,
  ) => {
    const loaded = await discord.loadComplete([key], { signal });
    return loaded.ok ? loaded.values[key] : null;
  };
  const roleIds = (await one("role_ids")) ?? [];
  let rules: unknown;
  try {
    rules = (await rulesLoader.load({ signal })).rules;
  } catch {
    rules = undefined;
  }
  let granted: string[];
  try {
    granted = [...managedRoles(resolveRules({ roleIds, rules }))];
  } catch {
    granted = rules === undefined || rules === null ? [...roleIds] : [];
  }
  const hooks = await store.webhooks.list({ signal });
  const webhooks: SetupWebhook[] = hooks
    .filter((h) => h.enabled)
    .map((h) => ({ id: h.id, name: h.username ?? `${h.operation} on ${h.table}`, url: h.url }));
  return {
    checks,
    unreadable: unreadable.map((i) => i.field),
    input: {
      botToken: await one("bot_token"),
      clientId: await one("client_id"),
      clientSecret: await one("client_secret"),
      guildId: await one("guild_id"),
      roleIds: granted,
      webhooks,
    },
  };
}

/** `pluralkit`: the PluralKit API answers a lookup (an unknown message is a fine answer). */
export async function checkPluralKit(baseUrl: string, signal?: AbortSignal): Promise<SetupCheckResult> {
  const title = "PluralKit answers";
  const api = createPluralKitApi({
    baseUrl,
    userAgent: "guildkit-doctor (+https://github.com/guildkit/guildkit)",
    retries: 0,
    rateLimitRetries: 1,
    cacheSize: 0,
  });
  try {
    await api.getMessage({ id: "100000000000000000", signal });
    return pass("pluralkit", title, `${baseUrl} answers.`);
  } catch (error) {
    const text = error instanceof Error ? error.message : String(error);
    return fail(
      "pluralkit",
      title,
      `${baseUrl} does not answer: ${text}`,
      "Check PLURALKIT_BASE_URL (default https://api.pluralkit.me/v2) and that this machine reaches it; the relay delivers held messages without identities meanwhile.",
    );
  }
}
