import { ProcessSettingsError, type ProcessSettingsProblem } from "./errors";
import { parseSecretKeys } from "./secret-key-setting";

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
const BODY_LIMIT_RANGE = [1024, 64 * 1024 * 1024] as const;

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
  const problem = (variable: string, message: string) => problems.push({ variable, message });
  const get = (name: string): string | null => {
    const value = env[name];
    return value === undefined || value.trim() === "" ? null : value.trim();
  };

  const environment = parseEnvironment(get("NODE_ENV"), problem);
  const development = environment !== "production";

  const database = parseDatabase(get("DATABASE_URL"), problem);

  const discordApiBaseUrl = parseHttpUrl(
    "DISCORD_API_BASE_URL",
    get("DISCORD_API_BASE_URL"),
    "https://discord.com/api/v10",
    problem,
    { example: "https://discord.com/api/v10" },
  );
  const discordCdnBaseUrl = parseHttpUrl(
    "DISCORD_CDN_BASE_URL",
    get("DISCORD_CDN_BASE_URL"),
    "https://cdn.discordapp.com",
    problem,
    { example: "https://cdn.discordapp.com" },
  );
  const pluralkitBaseUrl = parseHttpUrl(
    "PLURALKIT_BASE_URL",
    get("PLURALKIT_BASE_URL"),
    "https://api.pluralkit.me/v2",
    problem,
    { example: "https://api.pluralkit.me/v2" },
  );

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

  const secretKeys = parseSecretKeys(get("GUILDKIT_SECRET_KEY"), problem, development);

  const worker: WorkerSettings = {
    environment,
    database: database!,
    discordApiBaseUrl: discordApiBaseUrl!,
    discordCdnBaseUrl: discordCdnBaseUrl!,
    pluralkitBaseUrl: pluralkitBaseUrl!,
    redisUrl,
    logLevel: logLevelText as LogLevel,
    metricsPort,
    secretKeys,
    metricsToken,
  };
  if (!server) {
    if (problems.length > 0) throw new ProcessSettingsError(problems);
    return protectSecrets(worker);
  }

  const host = get("HOST") ?? "0.0.0.0";
  const portText = get("PORT");
  const port = portText === null ? 3000 : parsePort("PORT", portText, problem);

  const publicBaseUrl = parseHttpUrl("PUBLIC_BASE_URL", get("PUBLIC_BASE_URL"), null, problem, {
    example: "https://members.example.org",
    required: true,
  });

  const stateSigningKey = get("STATE_SIGNING_KEY") ?? "";
  if (stateSigningKey === "") {
    problem(
      "STATE_SIGNING_KEY",
      `STATE_SIGNING_KEY is not set: it signs OAuth state and needs at least ${MIN_SIGNING_KEY_BYTES} random bytes` +
        (development
          ? `; generate one with: ${GENERATE}`
          : ", e.g. 43 base64url characters from a secret manager"),
    );
  } else {
    const bytes = new TextEncoder().encode(stateSigningKey).length;
    if (bytes < MIN_SIGNING_KEY_BYTES) {
      problem(
        "STATE_SIGNING_KEY",
        `STATE_SIGNING_KEY is too short (${bytes} bytes): it needs at least ${MIN_SIGNING_KEY_BYTES} random bytes` +
          (development
            ? `; generate one with: ${GENERATE}`
            : ", e.g. 43 base64url characters from a secret manager"),
      );
    }
  }

  const adminToken = get("ADMIN_TOKEN") ?? "";
  if (adminToken === "") {
    problem(
      "ADMIN_TOKEN",
      `ADMIN_TOKEN is not set: it is the admin API's bearer token, at least ${MIN_ADMIN_TOKEN_LENGTH} random characters` +
        (development ? `; generate one with: ${GENERATE}` : ""),
    );
  } else if (adminToken.length < MIN_ADMIN_TOKEN_LENGTH) {
    problem(
      "ADMIN_TOKEN",
      `ADMIN_TOKEN is too short (${adminToken.length} characters): use at least ${MIN_ADMIN_TOKEN_LENGTH} random characters` +
        (development ? `; generate one with: ${GENERATE}` : ""),
    );
  }

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
  if (problems.length > 0) throw new ProcessSettingsError(problems);
  const settings: ProcessSettings = {
    ...worker,
    host,
    port,
    publicBaseUrl: publicBaseUrl!,
    stateSigningKey,
    adminToken,
    discordAuthorizeUrl: discordAuthorizeUrl!,
    bodyLimits,
  };
  return protectSecrets(settings);
}

/**
 * A copy of the settings safe to log: signing key, admin token and secret keys masked, passwords
 * removed from the database and Redis URLs.
 */
export function redactProcessSettings(settings: WorkerSettings | ProcessSettings): Record<string, unknown> {
  const safe: Record<string, unknown> = {
    ...settings,
    database:
      settings.database.kind === "postgres"
        ? { kind: "postgres", url: redactUrlPassword(settings.database.url) }
        : { ...settings.database },
    redisUrl: settings.redisUrl === null ? null : redactUrlPassword(settings.redisUrl),
    secretKeys: settings.secretKeys.map(() => "••••"),
  };
  if ("stateSigningKey" in settings) safe.stateSigningKey = "••••";
  if ("adminToken" in settings) safe.adminToken = "••••";
  if (settings.metricsToken !== null) safe.metricsToken = "••••";
  return safe;
}

function protectSecrets<Settings extends WorkerSettings>(settings: Settings): Settings {
  const safe = () => redactProcessSettings(settings);
  Object.defineProperty(settings, "toJSON", { value: safe, enumerable: false });
  Object.defineProperty(settings, Symbol.for("nodejs.util.inspect.custom"), {
    value: safe,
    enumerable: false,
  });
  return settings;
}

function redactUrlPassword(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/[^:/@\s]*):[^@/\s]*@/i, "$1:••••@");
}

/** A TCP port number from 0 to 65535 (0 picks a free port). */
function parsePort(variable: string, text: string, problem: (v: string, m: string) => void): number {
  const port = /^\d+$/.test(text) ? Number(text) : Number.NaN;
  if (!(port >= 0 && port <= 65535)) {
    problem(
      variable,
      `${variable} must be a TCP port number from 0 to 65535, e.g. ${variable}=${variable === "PORT" ? 3000 : 9464} (got "${text}")`,
    );
  }
  return port;
}

/** A body size limit in bytes, from 1 KiB to 64 MiB. */
function parseByteLimit(
  variable: string,
  text: string | null,
  fallback: number,
  problem: (v: string, m: string) => void,
): number {
  if (text === null) return fallback;
  const bytes = /^\d+$/.test(text) ? Number(text) : Number.NaN;
  if (!(bytes >= BODY_LIMIT_RANGE[0] && bytes <= BODY_LIMIT_RANGE[1])) {
    problem(
      variable,
      `${variable} must be a size in bytes from ${BODY_LIMIT_RANGE[0]} to ${BODY_LIMIT_RANGE[1]}, e.g. ${variable}=${fallback} (got "${text}")`,
    );
  }
  return bytes;
}

function parseEnvironment(value: string | null, problem: (v: string, m: string) => void): Environment {
  if (value === null) return "development";
  const lower = value.toLowerCase();
  if (lower === "production" || lower === "development" || lower === "test") return lower;
  problem(
    "NODE_ENV",
    `NODE_ENV must be production, development or test, e.g. NODE_ENV=production (got "${value}")`,
  );
  return "development";
}

function parseDatabase(
  value: string | null,
  problem: (v: string, m: string) => void,
): DatabaseSettings | null {
  const example =
    "e.g. DATABASE_URL=postgres://guildkit@127.0.0.1:5432/guildkit or DATABASE_URL=./data/guildkit.sqlite";
  if (value === null) {
    problem(
      "DATABASE_URL",
      `DATABASE_URL is not set: give a PostgreSQL URL or a SQLite file path, ${example}`,
    );
    return null;
  }
  if (/^postgres(ql)?:\/\//i.test(value)) {
    if (!/^postgres(ql)?:\/\/[^\s]*$/i.test(value) || !canParseUrl(value)) {
      problem("DATABASE_URL", `DATABASE_URL is not a valid PostgreSQL URL (value not shown), ${example}`);
      return null;
    }
    return { kind: "postgres", url: value };
  }
  if (/^file:/i.test(value)) {
    const rest = value.slice("file:".length);
    let path = rest.startsWith("//") ? rest.slice(2) : rest;
    if (path.startsWith("localhost/")) path = path.slice("localhost".length);
    path = safeDecode(path.split("?")[0] ?? "");
    if (path === "") {
      problem(
        "DATABASE_URL",
        `DATABASE_URL is a file: URL without a path, e.g. DATABASE_URL=file:./data/guildkit.sqlite`,
      );
      return null;
    }
    return { kind: "sqlite", path };
  }
  if (/^sqlite:/i.test(value)) {
    const path = value.slice("sqlite:".length).replace(/^\/\//, "");
    if (path === "") {
      problem(
        "DATABASE_URL",
        `DATABASE_URL is a sqlite: URL without a path, e.g. DATABASE_URL=sqlite:./data/guildkit.sqlite`,
      );
      return null;
    }
    return { kind: "sqlite", path };
  }
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(value);
  if (scheme) {
    problem(
      "DATABASE_URL",
      `DATABASE_URL uses the unsupported scheme "${scheme[1]}": only PostgreSQL URLs and SQLite paths work, ${example}`,
    );
    return null;
  }
  return { kind: "sqlite", path: value };
}

function parseHttpUrl(
  name: string,
  value: string | null,
  fallback: string | null,
  problem: (v: string, m: string) => void,
  options: { example: string; required?: boolean },
): string | null {
  if (value === null) {
    if (options.required) {
      problem(name, `${name} is not set: give an http(s) URL, e.g. ${name}=${options.example}`);
    }
    return fallback;
  }
  if (!/^https?:\/\//i.test(value) || !canParseUrl(value)) {
    problem(
      name,
      `${name} must be an http:// or https:// URL, e.g. ${name}=${options.example}`, // the value is not echoed: a URL can carry a token
    );
    return null;
  }
  const url = new URL(value);
  if (url.search !== "" || url.hash !== "") {
    problem(name, `${name} must not have a query or fragment, e.g. ${name}=${options.example}`);
    return null;
  }
  if (url.username !== "" || url.password !== "") {
    problem(name, `${name} must not contain credentials, e.g. ${name}=${options.example}`);
    return null;
  }
  return url.toString().replace(/\/+$/, "");
}

function canParseUrl(value: string): boolean {
  try {
    new URL(value);
    return true;
  } catch {
    return false;
  }
}

function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}
