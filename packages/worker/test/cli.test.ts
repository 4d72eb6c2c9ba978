import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { createConfigLoader, discordConfigSpec } from "@guildkit/config";
import { createSqliteStore } from "@guildkit/store-sqlite";
import { TEST_SECRET_KEY, testSecretBox } from "@guildkit/store-testkit";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { EXIT } from "../src/commands/io";
import type { CliCommand } from "../src/commands/program";
import { cliExitCode, runCli } from "./cli-harness";
import { seededGuild } from "./role-sync-harness";

const CLI = fileURLToPath(new URL("../src/cli.ts", import.meta.url));
let dir: string;
let env: Record<string, string>;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "guildkit-cli-"));
  env = { DATABASE_URL: join(dir, "db.sqlite"), GUILDKIT_SECRET_KEY: TEST_SECRET_KEY };
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe("guildkit: parsing, help and exit codes", () => {
  it("--help lists every command and the exit codes (exit 0); no command prints it and exits 2", async () => {
    const help = await runCli(["--help"], env);
    expect(help.code).toBe(0);
    for (const command of ["migrate", "doctor", "reconcile", "status", "config", "webhooks", "secrets"]) {
      expect(help.stdout).toMatch(new RegExp(`^  ${command}\\b`, "m"));
    }
    expect(help.stdout).toContain("3  the database does not answer");
    expect((await runCli([], env)).code).toBe(2);
  });

  it.each([
    [["reconcile", "--help"], /--dry-run/],
    [["reconcile", "member", "--help"], /memberId/],
    [["doctor", "--help"], /--public-url <url>/],
    [["config", "set", "--help"], /printf %s "\$BOT_TOKEN" \| guildkit config set discord bot_token/],
    [["webhooks", "redeliver", "--help"], /--webhook <id>/],
    [["secrets", "rotate", "--help"], /GUILDKIT_SECRET_KEY=<new>,<old>/],
  ])("%j prints its help and exits 0", async (argv, text) => {
    const run = await runCli(argv, env);
    expect(run).toMatchObject({ code: 0 });
    expect(run.stdout).toMatch(text);
  });

  it.each([
    [["frobnicate"], /unknown command 'frobnicate'/],
    [["reconcile", "--everyone"], /unknown option '--everyone'/],
    [["reconcile"], /--all/],
    [["reconcile", "member", "alice"], /member id must be a number/],
    [["webhooks", "redeliver"], /exactly one of --event <id>, --webhook <id>, --all, --since <time>/],
    [["webhooks", "redeliver", "--until", "2h"], /--until needs --since/],
    [
      ["webhooks", "redeliver", "--since", "yesterday"],
      /--since must be an ISO 8601 time .* got "yesterday"/,
    ],
    [["webhooks", "redeliver", "--since", "1h", "--until", "2h"], /--until must be later than --since/],
    [["webhooks", "redeliver", "--since", "1h", "--all"], /--since goes with --webhook <id> or alone/],
    [["config", "get", "nope"], /unknown module "nope"; one of: discord, role_sync/],
    [["config", "set", "discord", "colour", "red"], /discord has no setting "colour"/],
    [["config", "set", "discord", "bot_token", "abc"], /is a secret: pipe it on standard input/],
  ])("%j is a usage error: exit 2 and says why", async (argv, text) => {
    const run = await runCli(argv, env);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(text);
  });

  it("a host's commands join the built-in ones: listed in --help, parsed, their exit code returned", async () => {
    const hello: CliCommand = (program, io, _argv, done) => {
      program
        .command("hello <name>")
        .description("say hello")
        .action((name: string) => {
          io.out.write(`hello ${name}\n`);
          done(EXIT.failed);
        });
    };
    const help = await runCli(["--help"], env, { commands: [hello] });
    expect(help.stdout).toMatch(/^ {2}hello <name> +say hello/m);
    expect(help.stdout).toMatch(/^ {2}migrate\b/m);
    expect(await runCli(["hello", "you"], env, { commands: [hello] })).toEqual({
      code: EXIT.failed,
      stdout: "hello you\n",
      stderr: "",
    });
    expect((await runCli(["hello"], env, { commands: [hello] })).code).toBe(EXIT.usage);
    expect((await runCli(["hello", "you"], env)).code).toBe(EXIT.usage);
  });

  it("a wrong environment exits 1 naming the variable; an unreachable database exits 3", async () => {
    const noKey = await runCli(["status"], { DATABASE_URL: env.DATABASE_URL });
    expect(noKey.code).toBe(1);
    expect(noKey.stderr).toContain("GUILDKIT_SECRET_KEY is not set");
    const down = await runCli(["status"], { ...env, DATABASE_URL: "postgres://postgres@127.0.0.1:1/test" });
    expect(down.code).toBe(3);
    expect(down.stderr).toMatch(/^guildkit: the database does not answer/);
  });

  it("the bin exits with the code main resolves (a child process, as an operator runs it)", async () => {
    const run = (args: string[]) => cliExitCode(CLI, args, env);
    expect(await run(["--help"])).toBe(0);
    expect(await run(["frobnicate"])).toBe(2);
  });
});

describe("guildkit: store commands on SQLite", () => {
  it("migrate applies the migrations, then says the database is up to date", async () => {
    const first = await runCli(["migrate"], env);
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/^applied \d+ migration\(s\): 001/);
    expect(await runCli(["migrate"], env)).toEqual({
      code: 0,
      stdout: "the database is up to date\n",
      stderr: "",
    });
  });

  it("config set saves a version (secrets from stdin), config get shows it with secrets masked", async () => {
    expect((await runCli(["config", "set", "discord", "guild_id", "1300000000000000100"], env)).stdout).toBe(
      "saved discord.guild_id (version 1)\n",
    );
    await runCli(["config", "set", "discord", "role_ids", '["1300000000000000101"]'], env);
    const token = "cli.test.bot-token-value-000000000001";
    expect(
      await runCli(["config", "set", "discord", "bot_token"], env, { stdin: `${token}\n` }),
    ).toMatchObject({
      code: 0,
      stdout: "saved discord.bot_token (version 3)\n",
    });
    const bad = await runCli(["config", "set", "discord", "guild_id", "not-an-id"], env);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/^guildkit: discord\.guild_id: /);

    const all = await runCli(["config", "get", "discord"], env);
    expect(all.code).toBe(0);
    expect(all.stdout).toContain("discord (version 3)");
    expect(all.stdout).toContain('  guild_id = "1300000000000000100"');
    expect(all.stdout).toContain('  role_ids = ["1300000000000000101"]');
    expect(all.stdout).toContain("  sync_interval_hours = 24 (default)");
    expect(all.stdout).toContain("  client_id = (not set)");
    expect(all.stdout).not.toContain(token);
    expect((await runCli(["config", "get", "discord", "guild_id", "--json"], env)).stdout).toBe(
      '"1300000000000000100"\n',
    );

    // read back through the store, not only the CLI
    const store = createSqliteStore({ filename: env.DATABASE_URL as string, secretBox: testSecretBox() });
    const loaded = await createConfigLoader({ store: store.configStore, spec: discordConfigSpec }).load();
    await store.close();
    expect(loaded).toMatchObject({
      bot_token: token,
      guild_id: "1300000000000000100",
      role_ids: ["1300000000000000101"],
    });
  });

  it("status and webhooks list on an empty store; redeliver --all queues nothing", async () => {
    const status = await runCli(["status", "--json"], env);
    expect(status.code).toBe(0);
    expect(JSON.parse(status.stdout)).toEqual({
      roleSync: {
        dueNow: 0,
        byState: { ok: 0, retrying: 0, permanent_error: 0, not_in_guild: 0, unlinked: 0, grace: 0 },
        lastRound: null,
      },
      outbox: { pending: 0, delivered: 0, dead: 0 },
      webhooks: { enabled: 0, disabled: [] },
    });
    expect((await runCli(["status"], env)).stdout).toContain("synced 0, retrying 0, permanent errors 0");
    expect((await runCli(["status"], env)).stdout).toContain(
      "last round: none recorded (is a worker running?)",
    );
    const store = createSqliteStore({ filename: env.DATABASE_URL as string, secretBox: testSecretBox() });
    await store.taskStatus.record({
      task: "role-sync",
      worker: "w9",
      summary: { processed: 50, added: 3, removed: 1, transientErrors: 2, permanentErrors: 0 },
    });
    await store.close();
    expect((await runCli(["status"], env)).stdout).toMatch(
      /last round \S+: 50 checked, 3 added, 1 removed, 2 failed \(worker w9\)/,
    );
    expect((await runCli(["webhooks", "list"], env)).stdout).toBe("no webhooks\n");
    expect((await runCli(["webhooks", "redeliver", "--all"], env)).stdout).toBe(
      "0 dead event(s) queued again\n",
    );
    expect(
      (await runCli(["webhooks", "redeliver", "--since", "2026-12-01T14:00Z", "--until", "90m"], env)).stdout,
    ).toBe("0 dead event(s) queued again\n");
  });
});

describe("guildkit reconcile against discord-sim", () => {
  it("--all --dry-run prints the plan; --all converges; member <id> reconciles one member", async () => {
    const g = await seededGuild({ count: 6 });
    try {
      const genv = {
        ...env,
        DATABASE_URL: g.filename,
        DISCORD_API_BASE_URL: g.sim.apiBaseUrl,
        DISCORD_CDN_BASE_URL: g.sim.cdnBaseUrl,
      };
      const dry = await runCli(["reconcile", "--all", "--dry-run"], genv);
      expect(dry.code).toBe(0);
      expect(dry.stdout).toMatch(/^Dry run/);
      expect(g.sim.inspect.roleChanges()).toEqual([]);
      const all = await runCli(["reconcile", "--all"], genv);
      expect(all.code).toBe(0);
      expect(all.stdout).toMatch(/Reconciled 6 member\(s\)/);
      expect(g.wrong()).toEqual([]);

      // a paying member loses the role by hand in Discord; reconciling that member gives it back
      const userId = g.seeded[0]?.userId as string;
      expect(g.paying.has(userId)).toBe(true);
      const member = await g.store.members.findByDiscordUserId(userId);
      g.sim.seed.member({ guildId: g.guild.id, userId, roles: [] });
      const one = await runCli(["reconcile", "member", String(member?.id)], genv);
      expect(one).toMatchObject({ code: 0, stderr: "" });
      expect(one.stdout).toBe(`member ${member?.id}: ok, roles added 1, removed 0\n`);
      expect(g.wrong()).toEqual([]);
      expect((await runCli(["reconcile", "member", "999999"], genv)).code).toBe(1);
    } finally {
      await g.close();
    }
  });
});
