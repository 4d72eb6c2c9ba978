import { ConfigValidationError, createConfigLoader, discordConfigSpec } from "@guildkit/config";
import { roleSyncConfigSpec } from "@guildkit/role-reconciler";
import type { Command } from "commander";
import { CliSettingsError, CliUsageError } from "./errors";
import { type CliIo, EXIT } from "./io";
import { withStore } from "./store";

/** The configuration modules the CLI reads and writes. */
export const CONFIG_SPECS = { discord: discordConfigSpec, role_sync: roleSyncConfigSpec } as const;
type ModuleName = keyof typeof CONFIG_SPECS;

function specOf(module: string) {
  if (!Object.hasOwn(CONFIG_SPECS, module)) {
    throw new CliUsageError(
      `unknown module ${JSON.stringify(module)}; one of: ${Object.keys(CONFIG_SPECS).join(", ")}`,
    );
  }
  return CONFIG_SPECS[module as ModuleName];
}

function fieldOf(module: string, key: string) {
  const spec = specOf(module);
  if (!Object.hasOwn(spec.fields, key)) {
    throw new CliUsageError(
      `${module} has no setting ${JSON.stringify(key)}; one of: ${Object.keys(spec.fields).join(", ")}`,
    );
  }
  return { spec, field: (spec.fields as Record<string, { secret: boolean }>)[key] as { secret: boolean } };
}

/**
 * A value as typed: a JSON list or object (role ids, rules), `null` (clears), `true`/`false`; any
 * other text as it is (ids stay text, numbers are coerced by the spec).
 */
function parseValue(text: string): unknown {
  const trimmed = text.trim();
  if (!/^[[{]/.test(trimmed) && !["null", "true", "false"].includes(trimmed)) return text;
  try {
    return JSON.parse(trimmed);
  } catch {
    throw new CliUsageError(`the value looks like JSON but does not parse: ${trimmed.slice(0, 40)}`);
  }
}

/** `guildkit config get <module> [key]` and `guildkit config set <module> <key> [value]`. */
export function registerConfig(program: Command, io: CliIo, done: (code: number) => void): void {
  const config = program
    .command("config")
    .description(
      `the stored settings (modules: ${Object.keys(CONFIG_SPECS).join(", ")}); secrets are shown masked`,
    );
  config
    .command("get <module> [key]")
    .description("print a module's settings, or one of them (secrets masked)")
    .option("--json", "print JSON")
    .action(async (module: string, key: string | undefined, opts: { json?: boolean }) => {
      const spec = key ? fieldOf(module, key).spec : specOf(module);
      done(
        await withStore(io, { migrate: true }, async (store) => {
          const described = await createConfigLoader({ store: store.configStore, spec }).describe({
            signal: io.signal,
          });
          const fields = described.fields.filter((f) => !key || f.key === key);
          if (opts.json) {
            io.out.write(
              `${JSON.stringify(key ? (fields[0]?.value ?? null) : { version: described.version, fields }, null, 2)}\n`,
            );
          } else {
            if (!key) io.out.write(`${module} (version ${described.version})\n`);
            for (const f of fields) {
              const value = f.isSet || f.default !== null ? JSON.stringify(f.value) : "(not set)";
              io.out.write(
                key
                  ? `${value}\n`
                  : `  ${f.key} = ${value}${f.isSet ? "" : f.default !== null ? " (default)" : ""}\n`,
              );
            }
          }
          for (const issue of described.issues.filter((i) => !key || i.field === key)) {
            io.err.write(`  ! ${issue.field}: ${issue.message}\n`);
          }
          return described.issues.length > 0 ? EXIT.failed : EXIT.ok;
        }),
      );
    });
  registerConfigSet(config, io, done);
}

/** `guildkit config set <module> <key> [value]`. */
function registerConfigSet(config: Command, io: CliIo, done: (code: number) => void): void {
  config
    .command("set <module> <key> [value]")
    .description(
      "save one setting as a new version; secrets (and a missing value) are read from standard input",
    )
    .addHelpText(
      "after",
      '\nExamples:\n  guildkit config set discord guild_id 1300000000000000100\n  guildkit config set discord role_ids \'["1300000000000000101"]\'\n  printf %s "$BOT_TOKEN" | guildkit config set discord bot_token\n  guildkit config set discord role_ids null   # clears it',
    )
    .action(async (module: string, key: string, value: string | undefined) => {
      const { spec, field } = fieldOf(module, key);
      if (field.secret && value !== undefined) {
        throw new CliUsageError(
          `${module}.${key} is a secret: pipe it on standard input instead of an argument (it would stay in the shell history)`,
        );
      }
      const text = value ?? (await io.readStdin()).replace(/\r?\n$/, "");
      const parsed = field.secret ? text : parseValue(text);
      done(
        await withStore(io, { migrate: true }, async (store) => {
          try {
            const saved = await createConfigLoader({ store: store.configStore, spec }).save(
              { [key]: parsed },
              { createdBy: "cli", signal: io.signal },
            );
            io.out.write(`saved ${module}.${key} (version ${saved.version})\n`);
            return EXIT.ok;
          } catch (error) {
            if (error instanceof ConfigValidationError) {
              throw new CliSettingsError(
                error.issues.map((i) => `${module}.${i.field}: ${i.message}`).join("\n"),
                error,
              );
            }
            throw error;
          }
        }),
      );
    });
}
