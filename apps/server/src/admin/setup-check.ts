import { type ConfigSpec, createConfigLoader, discordConfigSpec } from "@guildkit/config";
import {
  guildkitRedirectUris,
  runSetupChecks,
  type SetupCheckInput,
  type SetupCheckResult,
  type SetupReport,
} from "@guildkit/discord-rest";
import { managedRoles, resolveRules, roleSyncConfigSpec } from "@guildkit/role-reconciler";
import type { ServerContext } from "../context";
import { html, type SafeHtml } from "./html";
import { csrfField } from "./layout";

/** A module's saved values, a field unset or failing validation read as unset (never throws for them). */
async function savedValues<TSpec extends ConfigSpec>(ctx: ServerContext, spec: TSpec, signal: AbortSignal) {
  const loaded = await createConfigLoader({ store: ctx.store.configStore, spec }).loadComplete([], {
    signal,
  });
  if (!loaded.ok) throw new Error(`the ${spec.module} settings could not be read`);
  return loaded.values;
}

/** The roles the saved rules grant (the Discord module's role ids under the default rule). */
async function grantedRoles(ctx: ServerContext, roleIds: readonly string[], signal: AbortSignal) {
  const { rules } = await savedValues(ctx, roleSyncConfigSpec, signal);
  try {
    return [...managedRoles(resolveRules({ roleIds, rules }))];
  } catch {
    return [...roleIds];
  }
}

/**
 * What `runSetupChecks` checks, from the saved settings: a field unset or unreadable is `null`
 * (its check then fails with the fix), the roles the rules grant, the enabled webhooks, and the
 * OAuth2 redirect URIs of this server's `PUBLIC_BASE_URL`.
 */
export async function savedSetupInput(ctx: ServerContext, signal: AbortSignal): Promise<SetupCheckInput> {
  const values = await savedValues(ctx, discordConfigSpec, signal);
  const hooks = await ctx.store.webhooks.list({ signal });
  return {
    botToken: values.bot_token,
    clientId: values.client_id,
    clientSecret: values.client_secret,
    guildId: values.guild_id,
    roleIds: await grantedRoles(ctx, values.role_ids ?? [], signal),
    webhooks: hooks
      .filter((h) => h.enabled)
      .map((h) => ({ id: h.id, name: h.username ?? `${h.operation} on ${h.table}`, url: h.url })),
    redirectUris: guildkitRedirectUris(ctx.settings.publicBaseUrl),
    apiBaseUrl: ctx.settings.discordApiBaseUrl,
    signal,
  };
}

/** `secret_key`: the keys of `GUILDKIT_SECRET_KEY` open every stored Discord secret. */
async function secretKeyCheck(ctx: ServerContext, signal: AbortSignal): Promise<SetupCheckResult> {
  const described = await createConfigLoader({
    store: ctx.store.configStore,
    spec: discordConfigSpec,
  }).describe({
    signal,
  });
  const secret = new Set(described.fields.filter((f) => f.secret).map((f) => f.key));
  const unreadable = described.issues.filter((i) => secret.has(i.field));
  const title = "the secret key opens the stored secrets";
  return unreadable.length === 0
    ? {
        id: "secret_key",
        title,
        status: "pass",
        message: "GUILDKIT_SECRET_KEY opens every stored secret.",
        fix: null,
      }
    : {
        id: "secret_key",
        title,
        status: "fail",
        message: unreadable.map((i) => `${i.field} ${i.message}`).join("; "),
        fix: "Start the server with the key that sealed them in GUILDKIT_SECRET_KEY (comma-separated: <new>,<old>), or type the secret again in the form below and save.",
      };
}

/**
 * Runs the setup doctor of `@guildkit/discord-rest` against Discord with the saved settings,
 * after the line saying whether the secret key opens the stored secrets (a secret it cannot open
 * reads as unset to the checks that need it).
 */
export async function checkSavedSetup(ctx: ServerContext, signal: AbortSignal): Promise<SetupReport> {
  const key = await secretKeyCheck(ctx, signal);
  const report = await runSetupChecks(await savedSetupInput(ctx, signal));
  return { ...report, ok: report.ok && key.status !== "fail", checks: [key, ...report.checks] };
}

const MARK = { pass: "ok", fail: "failed", warn: "warning", skip: "skipped" } as const;

/**
 * The "Check setup" panel: the button, and after a run one line per check — passed or failed,
 * what was found, and the fix in words — with the bot invite URL.
 */
export function setupPanel(csrf: string, report: SetupReport | null): SafeHtml {
  const failed = report?.checks.filter((c) => c.status === "fail").length ?? 0;
  return html`<section id="setup"><h2>Check setup</h2><p class="help">Runs every check of <code>guildkit doctor</code> against Discord with the saved settings: the bot token, the application, the client secret and redirect URIs, the bot in the guild, the Server Members intent, Manage Roles, each granted role below the bot's highest role, each webhook URL. Nothing is changed.</p><form method="post" action="/admin/settings/check" class="inline">${csrfField(
    csrf,
  )}<button type="submit" id="check-setup">Check setup</button></form>${
    report
      ? html`<p id="setup-summary" class="${failed === 0 ? "ok" : "bad"}">${
          failed === 0 ? "All checks passed." : `${failed} check(s) failed: the fix is under each.`
        }</p><ul id="setup-checks" class="checks">${report.checks.map(
          (c) =>
            html`<li id="check-${c.id.replace(/[^a-z0-9_-]/gi, "-")}" class="check check-${c.status}"><strong>${MARK[c.status]}</strong> ${c.title}: ${c.message}${
              c.fix && c.status !== "pass" ? html`<br><span class="fix">Fix: ${c.fix}</span>` : ""
            }</li>`,
        )}</ul>${
          report.inviteUrl
            ? html`<p class="help">Bot invite URL (exactly the permissions guildkit needs): <a id="invite-url" href="${report.inviteUrl}">${report.inviteUrl}</a></p>`
            : ""
        }`
      : ""
  }</section>`;
}
