import { type BudgetSettings, parseBudgetSettings } from "./budget-settings";
import { parseDatabase } from "./database-url";
import { ProcessSettingsError, type ProcessSettingsProblem } from "./errors";
import { protectSecrets } from "./redact-settings";
import { parseRetrySettings, type RetrySettings } from "./retry-settings";
import { parseSecretKeys } from "./secret-key-setting";
import { type Problem, parseByteLimit, parseEnvironment, parseHttpUrl, parsePort } from "./setting-values";

export type { BudgetSettings } from "./budget-settings";
export { redactProcessSettings } from "./redact-settings";
export type { RetrySettings } from "./retry-settings";

/** Where the database is: a SQLite file (or `:memory:`) or a PostgreSQL connection URL. */
export type DatabaseSettings = { kind: "sqlite"; path: string } | { kind: "postgres"; url: string };

/** pino's level names. */
export type LogLevel = "fatal" | "error" | "warn" | "info" | "debug" | "trace" | "silent";

/** `NODE_ENV`, narrowed. */
export type Environment = "production" | "development" | "test";

/**
 * The process settings a worker needs (role sync, webhook delivery, the relay, the `guildkit` CLI):
 * everything but the HTTP server's own. Built by {@link parseWorkerSettings}. `JSON.stringify` and
 * `util.inspect` of the object show the database and Redis passwords and the secret keys masked.
 */
export interface WorkerSettings {
  environment: Environment;
  database: DatabaseSettings;
  /** `DISCORD_API_BASE_URL`, default `https://discord.com/api/v10`. */
  discordApiBaseUrl: string;
  /** `DISCORD_CDN_BASE_URL`, default `https://cdn.discordapp.com`. */
  discordCdnBaseUrl: string;
  /** `PLURALKIT_BASE_URL`, default `https://api.pluralkit.me/v2`. */
  pluralkitBaseUrl: string;
  /** `REDIS_URL` (`redis://` or `rediss://`), `null` when unset: the Discord budget is then per process. */
  redisUrl: string | null;
  /** `LOG_LEVEL`, default `info`. */
  logLevel: LogLevel;
  /**
   * `METRICS_PORT`: the port `GET /metrics` (Prometheus) and `GET /healthz` are served on, beside a
   * worker's tasks or apart from the HTTP server's routes (which then have no `/metrics`); `null`
   * (unset): a worker serves nothing, the server serves `/metrics` on its own port.
   */
  metricsPort: number | null;
  /**
   * `GUILDKIT_SECRET_KEY` (required): the keys secret settings are sealed with at rest, 32 bytes
   * each; comma-separated for a rotation, the first seals and every one opens. Secret.
   */
  secretKeys: readonly Uint8Array[];
  /** `METRICS_TOKEN` (at least 16 characters): `/metrics` then needs `Authorization: Bearer <token>`. Secret. */
  metricsToken: string | null;
  /** `ROLE_SYNC_RETRY_BASE_MS`, `WEBHOOK_RETRY_SCHEDULE_MS`: retry waits, `null` each for the default. */
  retries: RetrySettings;
  /** `DISCORD_RPS`, `DISCORD_FALLBACK_RPS`: the bot's shared request budget, `null` each for the default. */
  budget: BudgetSettings;
}

/**
 * Process settings of the HTTP server: the worker's plus what serving needs. Built by
 * {@link parseProcessSettings} from an environment object. `JSON.stringify` and `util.inspect` of
 * the object show `stateSigningKey`, `adminToken` and the database and Redis passwords masked.
 */
export interface ProcessSettings extends WorkerSettings {
  /** Interface the HTTP server binds (`HOST`, default `0.0.0.0`). */
  host: string;
  /** HTTP port (`PORT`, default 3000; 0 picks a free port). */
  port: number;
  /** The URL people reach the server at, without a trailing slash (`PUBLIC_BASE_URL`). */
  publicBaseUrl: string;
  /** Signs OAuth state (`STATE_SIGNING_KEY`, at least 32 bytes). Secret. */
  stateSigningKey: string;
  /** Bearer token of the admin API (`ADMIN_TOKEN`, at least 16 characters). Secret. */
  adminToken: string;
  /** `DISCORD_AUTHORIZE_URL`, default `https://discord.com/oauth2/authorize`. */
  discordAuthorizeUrl: string;
  /**
   * The largest request body the server reads, in bytes (a larger one is answered 413 unread): `json`
   * for the admin API (`BODY_LIMIT_JSON`, default 262144 = 256 KiB), `form` for every other route
   * (`BODY_LIMIT_FORM`, default 16384 = 16 KiB).
   */
  bodyLimits: { json: number; form: number };
}

/** An environment object such as `process.env`. */
export type EnvironmentVariables = Readonly<Record<string, string | undefined>>;

const LOG_LEVELS: readonly LogLevel[] = ["fatal", "error", "warn", "info", "debug", "trace", "silent"];
const GENERATE = `node -e "console.log(require('node:crypto').randomBytes(32).toString('base64url'))"`;
const MIN_SIGNING_KEY_BYTES = 32;
const MIN_ADMIN_TOKEN_LENGTH = 16;

/**
 * Parses and checks process settings from an environment object (the app passes `process.env`; this
 * package never reads it). Empty variables count as unset.
 *
 * Variables: `DATABASE_URL` (required: `postgres://…`, a SQLite file path, `file:` URL or
 * `:memory:`), `PUBLIC_BASE_URL` (required), `STATE_SIGNING_KEY` (required, ≥ 32 bytes),
 * `ADMIN_TOKEN` (required, ≥ 16 characters), `GUILDKIT_SECRET_KEY` (required, 32 bytes each),
 * `PORT`, `HOST`, `BODY_LIMIT_JSON`, `BODY_LIMIT_FORM`, `DISCORD_API_BASE_URL`, `DISCORD_AUTHORIZE_URL`,
 * `DISCORD_CDN_BASE_URL`, `PLURALKIT_BASE_URL`, `REDIS_URL`, `METRICS_PORT`, `METRICS_TOKEN`, `LOG_LEVEL`,
 * `NODE_ENV`.
 *
 * @throws {@link ProcessSettingsError} with one line per problem; secret values are never echoed.
 */
export function parseProcessSettings(env: EnvironmentVariables): ProcessSettings {
  return parseSettings(env, true);
}

/**
 * Parses and checks the settings a worker needs ({@link WorkerSettings}): `DATABASE_URL`
 * (required), `GUILDKIT_SECRET_KEY` (required), `DISCORD_API_BASE_URL`, `DISCORD_CDN_BASE_URL`,
 * `PLURALKIT_BASE_URL`, `REDIS_URL`, `METRICS_PORT`, `METRICS_TOKEN`, `LOG_LEVEL`, `NODE_ENV`, with the same rules and messages as {@link parseProcessSettings}. The
 * server's variables (`PUBLIC_BASE_URL`, `STATE_SIGNING_KEY`, `ADMIN_TOKEN`, …) are not read.
 *
 * @throws {@link ProcessSettingsError} with one line per problem; secret values are never echoed.
 */
export function parseWorkerSettings(env: EnvironmentVariables): WorkerSettings {
  return parseSettings(env, false);
}

function parseSettings(env: EnvironmentVariables, server: true): ProcessSettings;
function parseSettings(env: EnvironmentVariables, server: false): WorkerSettings;
function parseSettings(env: EnvironmentVariables, server: boolean): WorkerSettings | ProcessSettings {
  const problems: ProcessSettingsProblem[] = [];
  const problem: Problem = (variable, message) => problems.push({ variable, message });
  const get: Read = (name) => {
    const value = env[name];
    return value === undefined || value.trim() === "" ? null : value.trim();
  };
  const environment = parseEnvironment(get("NODE_ENV"), problem);
  const worker = readWorkerSettings(get, problem, environment);
  if (!server) {
    if (problems.length > 0) throw new ProcessSettingsError(problems);
    return protectSecrets(worker);
  }
  const serving = readServerSettings(get, problem, environment !== "production");
  if (problems.length > 0) throw new ProcessSettingsError(problems);
  return protectSecrets<ProcessSettings>({ ...worker, ...serving });
}

/** A variable's trimmed value, `null` when unset or empty. */
type Read = (name: string) => string | null;

/** The worker's settings; values with a problem are left as `null`/`NaN` (the caller throws). */
function readWorkerSettings(get: Read, problem: Problem, environment: Environment): WorkerSettings {
  const database = parseDatabase(get("DATABASE_URL"), problem);
  const url = (name: string, fallback: string) =>
    parseHttpUrl(name, get(name), fallback, problem, { example: fallback }) as string;
  const discordApiBaseUrl = url("DISCORD_API_BASE_URL", "https://discord.com/api/v10");
  const discordCdnBaseUrl = url("DISCORD_CDN_BASE_URL", "https://cdn.discordapp.com");
  const pluralkitBaseUrl = url("PLURALKIT_BASE_URL", "https://api.pluralkit.me/v2");

  const redisUrl = get("REDIS_URL");
  if (redisUrl !== null && !/^rediss?:\/\/[^\s]+$/i.test(redisUrl)) {
    problem(
      "REDIS_URL",
      "REDIS_URL must be a redis:// or rediss:// URL, e.g. REDIS_URL=redis://127.0.0.1:6379",
    );
  }

  const metricsPortText = get("METRICS_PORT");
  const metricsPort = metricsPortText === null ? null : parsePort("METRICS_PORT", metricsPortText, problem);
  const metricsToken = get("METRICS_TOKEN");
  if (metricsToken !== null && metricsToken.length < MIN_ADMIN_TOKEN_LENGTH) {
    problem(
      "METRICS_TOKEN",
      `METRICS_TOKEN is too short: use at least ${MIN_ADMIN_TOKEN_LENGTH} random characters`,
    );
  }

  const logLevelText = (get("LOG_LEVEL") ?? "info").toLowerCase();
  if (!LOG_LEVELS.includes(logLevelText as LogLevel)) {
    problem("LOG_LEVEL", `LOG_LEVEL must be one of ${LOG_LEVELS.join(", ")}, e.g. LOG_LEVEL=info`);
  }

  const secretKeys = parseSecretKeys(get("GUILDKIT_SECRET_KEY"), problem, environment !== "production");
  return {
    environment,
    database: database as DatabaseSettings,
    discordApiBaseUrl,
    discordCdnBaseUrl,
    pluralkitBaseUrl,
    redisUrl,
    logLevel: logLevelText as LogLevel,
    metricsPort,
    secretKeys,
    metricsToken,
    retries: parseRetrySettings(get, problem),
    budget: parseBudgetSettings(get, problem),
  };
}

/** What only the HTTP server reads, checked in the order its problems are listed. */
function readServerSettings(
  get: Read,
  problem: Problem,
  development: boolean,
): Omit<ProcessSettings, keyof WorkerSettings> {
  const portText = get("PORT");
  const port = portText === null ? 3000 : parsePort("PORT", portText, problem);
  const publicBaseUrl = parseHttpUrl("PUBLIC_BASE_URL", get("PUBLIC_BASE_URL"), null, problem, {
    example: "https://members.example.org",
    required: true,
  });
  const stateSigningKey = checkStateSigningKey(get("STATE_SIGNING_KEY") ?? "", problem, development);
  const adminToken = checkAdminToken(get("ADMIN_TOKEN") ?? "", problem, development);
  const discordAuthorizeUrl = parseHttpUrl(
    "DISCORD_AUTHORIZE_URL",
    get("DISCORD_AUTHORIZE_URL"),
    "https://discord.com/oauth2/authorize",
    problem,
    { example: "https://discord.com/oauth2/authorize" },
  );
  const bodyLimits = {
    json: parseByteLimit("BODY_LIMIT_JSON", get("BODY_LIMIT_JSON"), 256 * 1024, problem),
    form: parseByteLimit("BODY_LIMIT_FORM", get("BODY_LIMIT_FORM"), 16 * 1024, problem),
  };
  return {
    host: get("HOST") ?? "0.0.0.0",
    port,
    publicBaseUrl: publicBaseUrl as string,
    stateSigningKey,
    adminToken,
    discordAuthorizeUrl: discordAuthorizeUrl as string,
    bodyLimits,
  };
}

/** `STATE_SIGNING_KEY`: set, and at least {@link MIN_SIGNING_KEY_BYTES} bytes. */
function checkStateSigningKey(key: string, problem: Problem, development: boolean): string {
  const how = development
    ? `; generate one with: ${GENERATE}`
    : ", e.g. 43 base64url characters from a secret manager";
  if (key === "") {
    problem(
      "STATE_SIGNING_KEY",
      `STATE_SIGNING_KEY is not set: it signs OAuth state and needs at least ${MIN_SIGNING_KEY_BYTES} random bytes${how}`,
    );
    return key;
  }
  const bytes = new TextEncoder().encode(key).length;
  if (bytes < MIN_SIGNING_KEY_BYTES) {
    problem(
      "STATE_SIGNING_KEY",
      `STATE_SIGNING_KEY is too short (${bytes} bytes): it needs at least ${MIN_SIGNING_KEY_BYTES} random bytes${how}`,
    );
  }
  return key;
}

/** `ADMIN_TOKEN`: set, and at least {@link MIN_ADMIN_TOKEN_LENGTH} characters. */
function checkAdminToken(token: string, problem: Problem, development: boolean): string {
  const how = development ? `; generate one with: ${GENERATE}` : "";
  if (token === "") {
    problem(
      "ADMIN_TOKEN",
      `ADMIN_TOKEN is not set: it is the admin API's bearer token, at least ${MIN_ADMIN_TOKEN_LENGTH} random characters${how}`,
    );
  } else if (token.length < MIN_ADMIN_TOKEN_LENGTH) {
    problem(
      "ADMIN_TOKEN",
      `ADMIN_TOKEN is too short (${token.length} characters): use at least ${MIN_ADMIN_TOKEN_LENGTH} random characters${how}`,
    );
  }
  return token;
}
