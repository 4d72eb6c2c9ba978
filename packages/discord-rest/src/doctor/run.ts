import { createDiscordRest, type DiscordRest } from "../client";
import { checkGuild, checkMembersIntent, checkPermissions, checkRoles } from "./guild-checks";
import { checkApplication, checkToken } from "./identity-checks";
import { checkOAuth } from "./oauth-checks";
import { botInviteUrl } from "./permissions";
import { createSetupProbe } from "./probe";
import { fail, skip } from "./result";
import type { SetupCheckInput, SetupCheckResult, SetupReport } from "./types";
import { checkWebhooks } from "./webhook-checks";

const NEEDS_TOKEN = "needs a valid bot token.";

/** The checks that need the bot token, skipped when it is missing or refused. */
function skippedForToken(input: SetupCheckInput): SetupCheckResult[] {
  return [
    skip("application", "client id matches the bot's application", NEEDS_TOKEN),
    skip("guild", "the bot is in the guild", NEEDS_TOKEN),
    skip("members_intent", "Server Members intent enabled", NEEDS_TOKEN),
    skip("manage_roles", "the bot has Manage Roles", NEEDS_TOKEN),
    skip("manage_webhooks", "the bot has Manage Webhooks", NEEDS_TOKEN),
    ...input.roleIds.map((id) => skip(`role:${id}`, `role ${id} can be granted`, NEEDS_TOKEN)),
  ];
}

/** The OAuth checks while the client id is another application's. */
function skippedForClientId(): SetupCheckResult[] {
  const why = "needs the client id of the bot's application.";
  return [
    skip("client_secret", "client secret accepted", why),
    skip("redirect_uri", "OAuth2 redirect URIs registered", why),
  ];
}

/** A client for the doctor's few guild reads: Discord's buckets honoured, no budget spacing, short waits. */
function clientFor(input: SetupCheckInput, token: string): DiscordRest {
  return createDiscordRest({
    token,
    ...(input.apiBaseUrl ? { apiBaseUrl: input.apiBaseUrl } : {}),
    ...(input.userAgent ? { userAgent: input.userAgent } : {}),
    ...(input.dispatcher ? { dispatcher: input.dispatcher } : {}),
    timeoutMs: input.timeoutMs ?? 10_000,
    limiter: { schedule: (fn) => fn() },
    retries: 1,
    rateLimitRetries: 2,
    maxRateLimitWaitMs: 10_000,
  });
}

/**
 * The setup doctor: every check of a guildkit installation against Discord, in order — the bot
 * token, the application and client id, the client secret and redirect URIs, the bot in the
 * guild, the Server Members intent, Manage Roles and Manage Webhooks, each granted role below the
 * bot's highest role, each webhook URL — one {@link SetupCheckResult} per check with the fix in
 * words. Never throws for what Discord answers; nothing is changed on Discord.
 *
 * @example
 * const report = await runSetupChecks({ botToken, clientId, clientSecret, guildId, roleIds: ["123…"] });
 * for (const check of report.checks) console.log(check.status, check.title, check.fix ?? "");
 */
export async function runSetupChecks(input: SetupCheckInput): Promise<SetupReport> {
  const { signal } = input;
  const checks: SetupCheckResult[] = [];
  let inviteUrl = input.clientId ? botInviteUrl({ clientId: input.clientId, guildId: input.guildId }) : null;
  if (!input.botToken) {
    checks.push(
      fail(
        "token",
        "bot token valid",
        "bot_token is not set.",
        "Developer Portal → your application → Bot → Reset Token, and save the token as the Discord setting bot_token.",
      ),
      ...skippedForToken(input),
      ...(await checkOAuth(input, null)),
    );
    return { ok: false, checks, inviteUrl };
  }
  const probe = createSetupProbe({ token: input.botToken, ...input });
  const token = await checkToken(probe, signal);
  checks.push(token.result);
  if (!token.bot) {
    checks.push(...skippedForToken(input), ...(await checkOAuth(input, null)));
    return { ok: false, checks, inviteUrl };
  }
  const application = await checkApplication(probe, input.clientId, signal);
  checks.push(application.result);
  inviteUrl = botInviteUrl({
    clientId: application.app?.id ?? input.clientId ?? token.bot.id,
    guildId: input.guildId,
  });
  // A client id of another application fails the OAuth checks too: they wait for the right one.
  const oauthChecks =
    application.result.status === "fail" && application.app && input.clientId
      ? skippedForClientId()
      : await checkOAuth(input, application.app);
  const rest = input.rest ?? clientFor(input, input.botToken);
  try {
    const guild = await checkGuild(rest, { guildId: input.guildId, botId: token.bot.id, inviteUrl, signal });
    checks.push(guild.result);
    checks.push(
      await checkMembersIntent(rest, {
        guildId: input.guildId,
        inGuild: guild.view !== null,
        flags: application.app?.flags ?? null,
        signal,
      }),
    );
    checks.push(
      ...checkPermissions(guild.view, {
        guildId: input.guildId ?? "",
        inviteUrl,
        needsManageWebhooks: input.needsManageWebhooks === true,
      }),
      ...checkRoles(guild.view, { guildId: input.guildId ?? "", roleIds: input.roleIds }),
      ...oauthChecks,
    );
    checks.push(...(await checkWebhooks(rest, probe, input.webhooks ?? [], signal)));
  } finally {
    if (!input.rest) await rest.close();
  }
  return { ok: checks.every((c) => c.status !== "fail"), checks, inviteUrl };
}

/** The report as text: one line per check (`ok`, `FAIL`, `warn`, `skip`), the fix indented below a failure. */
export function formatSetupReport(report: SetupReport): string {
  const marks = { pass: "ok  ", fail: "FAIL", warn: "warn", skip: "skip" } as const;
  const lines: string[] = [];
  for (const check of report.checks) {
    lines.push(`${marks[check.status]}  ${check.title}: ${check.message}`);
    if (check.fix && check.status !== "pass") lines.push(`      fix: ${check.fix}`);
  }
  const failed = report.checks.filter((c) => c.status === "fail").length;
  lines.push(failed === 0 ? "All checks passed." : `${failed} check(s) failed.`);
  if (report.inviteUrl) lines.push(`Bot invite URL: ${report.inviteUrl}`);
  return `${lines.join("\n")}\n`;
}
