import { inspect } from "node:util";
import { describe, expect, it } from "vitest";
import { ProcessSettingsError } from "./errors";
import { parseProcessSettings, parseWorkerSettings, redactProcessSettings } from "./process-settings";

const KEY = "k".repeat(43);
const TOKEN = "admin-token-0123456789abcdef";
const SECRET_KEY_BYTES = Buffer.alloc(32, 9);
const SECRET_KEY = SECRET_KEY_BYTES.toString("base64");
const base = {
  DATABASE_URL: "./data/guildkit.sqlite",
  GUILDKIT_SECRET_KEY: SECRET_KEY,
  PUBLIC_BASE_URL: "https://members.example.org/",
  STATE_SIGNING_KEY: KEY,
  ADMIN_TOKEN: TOKEN,
};

function errorOf(env: Record<string, string | undefined>): ProcessSettingsError {
  try {
    parseProcessSettings(env);
  } catch (e) {
    if (e instanceof ProcessSettingsError) return e;
    throw e;
  }
  throw new Error("expected a ProcessSettingsError");
}

describe("parseProcessSettings", () => {
  it("parses a minimal environment with defaults", () => {
    const s = parseProcessSettings(base);
    expect(s).toMatchObject({
      environment: "development",
      database: { kind: "sqlite", path: "./data/guildkit.sqlite" },
      host: "0.0.0.0",
      port: 3000,
      publicBaseUrl: "https://members.example.org",
      stateSigningKey: KEY,
      adminToken: TOKEN,
      discordApiBaseUrl: "https://discord.com/api/v10",
      discordAuthorizeUrl: "https://discord.com/oauth2/authorize",
      discordCdnBaseUrl: "https://cdn.discordapp.com",
      pluralkitBaseUrl: "https://api.pluralkit.me/v2",
      redisUrl: null,
      logLevel: "info",
      metricsToken: null,
      bodyLimits: { json: 262_144, form: 16_384 },
    });
  });

  it("reads body limits in bytes and refuses sizes that are not whole bytes from 1 KiB to 64 MiB", () => {
    const s = parseProcessSettings({ ...base, BODY_LIMIT_JSON: "1048576", BODY_LIMIT_FORM: "4096" });
    expect(s.bodyLimits).toEqual({ json: 1_048_576, form: 4096 });
    const error = errorOf({ ...base, BODY_LIMIT_JSON: "256kb", BODY_LIMIT_FORM: "10" });
    expect(error.problems.map((p) => p.variable)).toEqual(["BODY_LIMIT_JSON", "BODY_LIMIT_FORM"]);
    expect(error.problems[0]?.message).toMatch(
      /BODY_LIMIT_JSON must be a size in bytes from 1024 to 67108864/,
    );
    expect(errorOf({ ...base, BODY_LIMIT_FORM: String(64 * 1024 * 1024 + 1) }).problems).toHaveLength(1);
  });

  it("recognises PostgreSQL URLs, file: URLs and :memory:", () => {
    expect(parseProcessSettings({ ...base, DATABASE_URL: "postgres://u:p@db:5432/gk" }).database).toEqual({
      kind: "postgres",
      url: "postgres://u:p@db:5432/gk",
    });
    expect(parseProcessSettings({ ...base, DATABASE_URL: "postgresql://db/gk" }).database.kind).toBe(
      "postgres",
    );
    expect(parseProcessSettings({ ...base, DATABASE_URL: "file:///var/lib/gk/db.sqlite" }).database).toEqual({
      kind: "sqlite",
      path: "/var/lib/gk/db.sqlite",
    });
    expect(parseProcessSettings({ ...base, DATABASE_URL: "file:data/my%20db.sqlite" }).database).toEqual({
      kind: "sqlite",
      path: "data/my db.sqlite",
    });
    expect(parseProcessSettings({ ...base, DATABASE_URL: ":memory:" }).database).toEqual({
      kind: "sqlite",
      path: ":memory:",
    });
  });

  it("reads the optional variables", () => {
    const s = parseProcessSettings({
      ...base,
      PORT: "8080",
      HOST: "127.0.0.1",
      DISCORD_API_BASE_URL: "http://127.0.0.1:4000/api/v10/",
      REDIS_URL: "redis://127.0.0.1:6379",
      LOG_LEVEL: "DEBUG",
      NODE_ENV: "production",
    });
    expect(s).toMatchObject({
      port: 8080,
      host: "127.0.0.1",
      discordApiBaseUrl: "http://127.0.0.1:4000/api/v10",
      redisUrl: "redis://127.0.0.1:6379",
      logLevel: "debug",
      environment: "production",
    });
  });

  it("reports one line per problem, naming the variable and an example", () => {
    const error = errorOf({
      PUBLIC_BASE_URL: "members.example.org",
      STATE_SIGNING_KEY: "too-short",
      PORT: "70000",
      LOG_LEVEL: "loud",
      REDIS_URL: "http://nope",
    });
    expect(error.code).toBe("process_settings_invalid");
    expect(error.problems.map((p) => p.variable)).toEqual([
      "DATABASE_URL",
      "REDIS_URL",
      "LOG_LEVEL",
      "GUILDKIT_SECRET_KEY",
      "PORT",
      "PUBLIC_BASE_URL",
      "STATE_SIGNING_KEY",
      "ADMIN_TOKEN",
    ]);
    const lines = error.message.split("\n").slice(1);
    expect(lines).toHaveLength(error.problems.length);
    for (const [i, p] of error.problems.entries()) {
      expect(lines[i]).toContain(p.variable);
      expect(p.message).not.toContain("\n");
    }
    expect(error.problems.find((p) => p.variable === "PUBLIC_BASE_URL")?.message).toContain("e.g.");
    expect(error.problems.find((p) => p.variable === "STATE_SIGNING_KEY")?.message).toMatch(
      /too short \(9 bytes\).*randomBytes\(32\)/,
    );
  });

  it("never echoes a secret value in an error", () => {
    const error = errorOf({
      ...base,
      STATE_SIGNING_KEY: "my-secret-key",
      ADMIN_TOKEN: "tok-secret",
      DATABASE_URL: "postgres://user:hunter2@[bad",
      REDIS_URL: "http://user:redispass@x",
    });
    expect(error.problems.map((p) => p.variable)).toEqual([
      "DATABASE_URL",
      "REDIS_URL",
      "STATE_SIGNING_KEY",
      "ADMIN_TOKEN",
    ]);
    for (const secret of ["my-secret-key", "tok-secret", "hunter2", "redispass"]) {
      expect(error.message).not.toContain(secret);
    }
  });

  it("in production says what a signing key needs without the development how-to", () => {
    const error = errorOf({ ...base, NODE_ENV: "production", STATE_SIGNING_KEY: undefined });
    expect(error.problems[0]?.message).toContain("at least 32 random bytes");
    expect(error.problems[0]?.message).not.toContain("node -e");
  });

  it("rejects unsupported database schemes", () => {
    expect(errorOf({ ...base, DATABASE_URL: "mysql://db/gk" }).problems[0]?.message).toContain('"mysql"');
  });

  it("keeps secrets out of JSON.stringify and util.inspect", () => {
    const s = parseProcessSettings({
      ...base,
      DATABASE_URL: "postgres://u:hunter2@db/gk",
      REDIS_URL: "redis://:rpass@r:6379",
      METRICS_TOKEN: "metrics-token-0123456789",
    });
    expect(s.metricsToken).toBe("metrics-token-0123456789");
    for (const text of [JSON.stringify(s), inspect(s), JSON.stringify(redactProcessSettings(s))]) {
      expect(text).not.toContain(KEY);
      expect(text).not.toContain(TOKEN);
      expect(text).not.toContain("metrics-token-0123456789");
      expect(text).not.toContain("hunter2");
      expect(text).not.toContain("rpass");
      expect(text).not.toContain(SECRET_KEY);
      expect(text).not.toContain(`"0":9`);
      expect(text).not.toContain("9, 9, 9");
    }
    expect(s.stateSigningKey).toBe(KEY);
  });
});

describe("GUILDKIT_SECRET_KEY", () => {
  it("takes one key or several comma-separated, in base64, base64url or hex", () => {
    const other = Buffer.alloc(32, 3);
    const s = parseProcessSettings({
      ...base,
      GUILDKIT_SECRET_KEY: ` ${other.toString("hex")} , ${SECRET_KEY_BYTES.toString("base64url")},${SECRET_KEY}`,
    });
    expect(s.secretKeys.map((k) => Buffer.from(k).toString("hex"))).toEqual([
      other.toString("hex"),
      SECRET_KEY_BYTES.toString("hex"),
      SECRET_KEY_BYTES.toString("hex"),
    ]);
  });

  it("is required by the server and by workers, with how to generate one", () => {
    const server = errorOf({ ...base, GUILDKIT_SECRET_KEY: undefined });
    expect(server.problems).toEqual([
      { variable: "GUILDKIT_SECRET_KEY", message: expect.stringContaining("GUILDKIT_SECRET_KEY is not set") },
    ]);
    expect(server.message).toContain("randomBytes(32).toString('base64')");
    expect(() => parseWorkerSettings({ DATABASE_URL: ":memory:" })).toThrow(/GUILDKIT_SECRET_KEY is not set/);
  });

  it("names a key that is not 32 bytes by position, never echoing it", () => {
    const short = Buffer.alloc(16, 5).toString("base64");
    const error = errorOf({ ...base, GUILDKIT_SECRET_KEY: `${SECRET_KEY},${short}` });
    expect(error.problems).toHaveLength(1);
    expect(error.problems[0]?.message).toMatch(/^GUILDKIT_SECRET_KEY key 2 of 2 is not 32 bytes in base64/);
    expect(error.message).not.toContain(short);
    expect(error.message).not.toContain(SECRET_KEY);
    expect(errorOf({ ...base, GUILDKIT_SECRET_KEY: "not-a-key" }).problems[0]?.message).toMatch(
      /^GUILDKIT_SECRET_KEY is not 32 bytes/,
    );
    expect(errorOf({ ...base, GUILDKIT_SECRET_KEY: `${SECRET_KEY},` }).problems).toHaveLength(1);
  });
});

const worker = { DATABASE_URL: ":memory:", GUILDKIT_SECRET_KEY: SECRET_KEY };

describe("parseWorkerSettings", () => {
  it("needs only a worker's settings: no PUBLIC_BASE_URL, STATE_SIGNING_KEY or ADMIN_TOKEN", () => {
    const settings = parseWorkerSettings({
      DATABASE_URL: "postgres://gk:secret-pw@db:5432/gk",
      GUILDKIT_SECRET_KEY: SECRET_KEY,
      PLURALKIT_BASE_URL: "http://127.0.0.1:4000/pk/v2",
      PUBLIC_BASE_URL: "not a url",
    });
    expect({ ...settings }).toEqual({
      environment: "development",
      database: { kind: "postgres", url: "postgres://gk:secret-pw@db:5432/gk" },
      discordApiBaseUrl: "https://discord.com/api/v10",
      discordCdnBaseUrl: "https://cdn.discordapp.com",
      pluralkitBaseUrl: "http://127.0.0.1:4000/pk/v2",
      redisUrl: null,
      logLevel: "info",
      metricsPort: null,
      secretKeys: [new Uint8Array(SECRET_KEY_BYTES)],
      metricsToken: null,
      retries: { roleSyncBaseMs: null, webhookScheduleMs: null },
      budget: { discordRps: null, discordFallbackRps: null },
    });
    expect(JSON.stringify(settings)).not.toContain("secret-pw");
    expect(inspect(settings)).not.toContain("secret-pw");
  });

  it("reads DISCORD_RPS and DISCORD_FALLBACK_RPS as rates, the fallback at most the budget, and refuses anything else", () => {
    expect(parseWorkerSettings({ ...worker, DISCORD_RPS: "10", DISCORD_FALLBACK_RPS: "2.5" }).budget).toEqual(
      {
        discordRps: 10,
        discordFallbackRps: 2.5,
      },
    );
    for (const bad of [
      { DISCORD_RPS: "0" },
      { DISCORD_RPS: "51" },
      { DISCORD_RPS: "fast" },
      { DISCORD_FALLBACK_RPS: "-1" },
      { DISCORD_RPS: "3", DISCORD_FALLBACK_RPS: "4" },
    ]) {
      expect(() => parseWorkerSettings({ ...worker, ...bad })).toThrow(
        /DISCORD_(FALLBACK_)?RPS must be requests per second/,
      );
    }
  });

  it("reads METRICS_PORT as a port number, and refuses anything else", () => {
    expect(parseWorkerSettings({ ...worker, METRICS_PORT: "9464" }).metricsPort).toBe(9464);
    expect(() => parseWorkerSettings({ ...worker, METRICS_PORT: "http" })).toThrow(
      /METRICS_PORT must be a TCP port number/,
    );
  });

  it("reads METRICS_TOKEN, refusing one shorter than 16 characters without echoing it", () => {
    const env = { ...worker, METRICS_TOKEN: "metrics-token-0123456789" };
    expect(parseWorkerSettings(env).metricsToken).toBe("metrics-token-0123456789");
    expect(() => parseWorkerSettings({ ...env, METRICS_TOKEN: "short-secret" })).toThrow(
      /^(?!.*short-secret).*METRICS_TOKEN is too short/s,
    );
  });

  it("names each bad worker setting, and only those", () => {
    let error: unknown;
    try {
      parseWorkerSettings({ LOG_LEVEL: "loud", ADMIN_TOKEN: "short" });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ProcessSettingsError);
    expect((error as ProcessSettingsError).problems.map((p) => p.variable)).toEqual([
      "DATABASE_URL",
      "LOG_LEVEL",
      "GUILDKIT_SECRET_KEY",
    ]);
  });
});

describe("retry waits (ROLE_SYNC_RETRY_BASE_MS, WEBHOOK_RETRY_SCHEDULE_MS)", () => {
  const worker = { DATABASE_URL: "./data/guildkit.sqlite", GUILDKIT_SECRET_KEY: SECRET_KEY };

  it("are null (the tasks' defaults) when unset", () => {
    expect(parseWorkerSettings(worker).retries).toEqual({ roleSyncBaseMs: null, webhookScheduleMs: null });
  });

  it("read a base wait and a comma-separated schedule", () => {
    const s = parseWorkerSettings({
      ...worker,
      ROLE_SYNC_RETRY_BASE_MS: "2000",
      WEBHOOK_RETRY_SCHEDULE_MS: "1000, 2000,5000",
    });
    expect(s.retries).toEqual({ roleSyncBaseMs: 2000, webhookScheduleMs: [1000, 2000, 5000] });
  });

  it("name each bad value", () => {
    for (const [variable, value] of [
      ["ROLE_SYNC_RETRY_BASE_MS", "5s"],
      ["ROLE_SYNC_RETRY_BASE_MS", "10"],
      ["WEBHOOK_RETRY_SCHEDULE_MS", "1000,,2000"],
      ["WEBHOOK_RETRY_SCHEDULE_MS", "-1"],
      ["WEBHOOK_RETRY_SCHEDULE_MS", Array(21).fill("1").join(",")],
    ] as const) {
      let error: unknown = null;
      try {
        parseWorkerSettings({ ...worker, [variable]: value });
      } catch (e) {
        error = e;
      }
      expect(error, `${variable}=${value}`).toBeInstanceOf(ProcessSettingsError);
      expect((error as ProcessSettingsError).problems.map((p) => p.variable)).toEqual([variable]);
    }
  });
});
