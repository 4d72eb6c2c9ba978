import { DiscordApiError } from "@guildkit/discord-rest";
import { RoleConnectionSchemaError } from "@guildkit/role-reconciler";
import type { Command } from "commander";
import { createLinkedRoles } from "../linked-roles";
import { CliError, CliSettingsError } from "./errors";
import { type CliIo, EXIT } from "./io";
import { withStore } from "./store";

/** No member token is needed to register the schema (a bot-token call). */
const NO_TOKENS = {
  accessToken: async () => null,
  refresh: async () => null,
};

/**
 * `guildkit linked-roles register`: registers the Linked Roles metadata records of the
 * `linked_roles` settings (the default: one boolean "paying") with Discord, with the bot token of
 * the `discord` settings, and prints what Discord stored.
 */
export function registerLinkedRoles(program: Command, io: CliIo, done: (code: number) => void): void {
  const linkedRoles = program
    .command("linked-roles")
    .description("Discord Linked Roles: the role connection metadata schema");
  linkedRoles
    .command("register")
    .description(
      "register the metadata records (linked_roles settings) with Discord; servers then use them in role requirements",
    )
    .addHelpText(
      "after",
      "\nExit codes: 0 registered, 1 Discord refused, 2 incomplete or invalid settings, 3 database unreachable.",
    )
    .action(async () => {
      done(
        await withStore(io, { migrate: true }, async (store, settings) => {
          const linked = createLinkedRoles({
            store,
            discordApiBaseUrl: settings.discordApiBaseUrl,
            tokens: NO_TOKENS,
            owner: "cli",
          });
          try {
            const loaded = await linked.loadSettings({ signal: io.signal });
            if (loaded.status === "incomplete") {
              throw new CliSettingsError(
                `the settings are incomplete: ${loaded.missing.join(", ")}; set them with "guildkit config set"`,
              );
            }
            const records = await linked.registerSchema({ signal: io.signal });
            io.out.write(
              `registered ${records.length} Linked Roles metadata record(s) for application ${loaded.applicationId}:\n`,
            );
            for (const r of records) io.out.write(`  ${r.key} (type ${r.type}): ${r.name}\n`);
            return EXIT.ok;
          } catch (error) {
            if (error instanceof RoleConnectionSchemaError) throw new CliSettingsError(error.message, error);
            if (error instanceof DiscordApiError) {
              throw new CliError(
                `Discord refused the metadata records: ${error.message}`,
                EXIT.failed,
                error,
              );
            }
            throw error;
          } finally {
            await linked.close();
          }
        }),
      );
    });
}
