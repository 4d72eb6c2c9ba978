import { createDiscordRest, createRoleGateway } from "@guildkit/discord-rest";
import { createRoleSyncSettingsSource, type ReconcilePlan } from "@guildkit/role-reconciler";
import { createRoleSync } from "@guildkit/worker";
import type { ServerContext } from "../context";

/** What a dry run found: the plan, or the settings it still needs. */
export type DryRunResult =
  | { status: "ready"; plan: ReconcilePlan }
  | { status: "incomplete"; missing: string[] };

/**
 * The console's dry run, read-only end to end: the settings are read as role sync reads them
 * (`createRoleSyncSettingsSource`), but not through the worker's `loadSettings`, which also makes
 * the member triggers watch the rules' columns (DDL). Discord is read with a client of its own
 * (retries off, short timeout); nothing is claimed, changed, logged or blocked.
 */
export async function dryRun(ctx: ServerContext, signal: AbortSignal): Promise<DryRunResult> {
  const loaded = await createRoleSyncSettingsSource({ configStore: ctx.store.configStore }).load({ signal });
  if (loaded.status === "incomplete") return loaded;
  const sync = createRoleSync({
    store: ctx.store,
    discordApiBaseUrl: ctx.settings.discordApiBaseUrl,
    discordCdnBaseUrl: ctx.settings.discordCdnBaseUrl,
    owner: "admin-console-dry-run",
  });
  const rest = createDiscordRest({
    token: loaded.botToken,
    apiBaseUrl: ctx.settings.discordApiBaseUrl,
    cdnBaseUrl: ctx.settings.discordCdnBaseUrl,
    retries: 1,
    timeoutMs: 10_000,
  });
  try {
    const plan = await sync.reconciler.plan({
      settings: loaded.settings,
      gateway: createRoleGateway(rest),
      signal,
    });
    return { status: "ready", plan };
  } finally {
    await rest.close();
    await sync.close();
  }
}
