import {
  formatSetupReport,
  guildkitRedirectUris,
  runSetupChecks,
  type SetupCheckResult,
  type SetupReport,
} from "@guildkit/discord-rest";
import type { Command } from "commander";
import { openStore } from "../store";
import { checkDatabase, checkPluralKit, readSetupSettings } from "./doctor-local";
import { CliUsageError } from "./errors";
import { type CliIo, EXIT } from "./io";
import { cliSettings } from "./store";

/** Options of `guildkit doctor`. */
export interface DoctorOptions {
  json?: boolean;
  publicUrl?: string;
  relay?: boolean;
}

/** Runs every check; resolves the report (local checks first, then Discord's, then PluralKit's). */
export async function runDoctor(io: CliIo, opts: DoctorOptions): Promise<SetupReport> {
  const settings = cliSettings(io);
  const publicUrl = opts.publicUrl ?? io.env.PUBLIC_BASE_URL ?? null;
  if (publicUrl !== null && !/^https?:\/\/[^/]+/.test(publicUrl)) {
    throw new CliUsageError(
      `the public URL must be an http(s) URL such as https://guild.example.org, got ${JSON.stringify(publicUrl)}`,
    );
  }
  const store = await openStore(settings);
  try {
    const database = await checkDatabase(store, io.signal);
    if (database.status === "fail" && /does not answer/.test(database.message)) {
      return { ok: false, checks: [database], inviteUrl: null };
    }
    let local: Awaited<ReturnType<typeof readSetupSettings>>;
    try {
      local = await readSetupSettings(store, io.signal);
    } catch (error) {
      // an empty or old database has no settings to read yet: the first line says what to do
      if (database.status !== "fail") throw error;
      const skipped = { status: "skip" as const, fix: null, message: "needs the migrated database." };
      return {
        ok: false,
        checks: [database, { id: "settings", title: "the stored settings are valid", ...skipped }],
        inviteUrl: null,
      };
    }
    const discord = await runSetupChecks({
      ...local.input,
      redirectUris: publicUrl ? guildkitRedirectUris(publicUrl) : [],
      needsManageWebhooks: opts.relay === true,
      apiBaseUrl: settings.discordApiBaseUrl,
      ...(io.signal ? { signal: io.signal } : {}),
    });
    // a secret the key does not open is the secret_key line's failure, not "not set"
    const opened = (id: string, field: string) => (check: SetupCheckResult) =>
      check.id === id && check.status === "fail" && local.unreadable.includes(field)
        ? { ...check, status: "skip" as const, message: `needs a ${field} the secret key opens.`, fix: null }
        : check;
    const discordChecks = discord.checks
      .map(opened("token", "bot_token"))
      .map(opened("client_secret", "client_secret"));
    const checks = [database, ...local.checks, ...discordChecks];
    if (opts.relay) checks.push(await checkPluralKit(settings.pluralkitBaseUrl, io.signal));
    return { ok: checks.every((c) => c.status !== "fail"), checks, inviteUrl: discord.inviteUrl };
  } finally {
    await store.close();
  }
}

/** `guildkit doctor [--json] [--public-url <url>] [--relay]`. */
export function registerDoctor(program: Command, io: CliIo, done: (code: number) => void): void {
  program
    .command("doctor")
    .description("check the setup against Discord: one line per check, the fix beside each failure")
    .option(
      "--json",
      "print the report as JSON ({ ok, checks: [{ id, title, status, message, fix }], inviteUrl })",
    )
    .option(
      "--public-url <url>",
      "the URL people reach the server at, for the OAuth2 redirect URIs (default PUBLIC_BASE_URL)",
    )
    .option("--relay", "the PluralKit relay is used: Manage Webhooks is required and PluralKit must answer")
    .addHelpText(
      "after",
      "\nReads DATABASE_URL, GUILDKIT_SECRET_KEY, DISCORD_API_BASE_URL, PLURALKIT_BASE_URL and PUBLIC_BASE_URL; changes nothing.\nExit codes: 0 every check passed (warnings allowed), 1 a check failed, 2 usage.",
    )
    .action(async (opts: DoctorOptions) => {
      const report = await runDoctor(io, opts);
      io.out.write(opts.json ? `${JSON.stringify(report, null, 2)}\n` : formatSetupReport(report));
      done(report.ok ? EXIT.ok : EXIT.failed);
    });
}
