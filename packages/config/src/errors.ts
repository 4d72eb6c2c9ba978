/** One problem with one configuration field. */
export interface ConfigIssue {
  /** The field's key in the spec, e.g. `guild_id`, or the key that is not part of the spec. */
  field: string;
  /** What is wrong, never echoing the value. */
  message: string;
}

/**
 * Configuration values that fail their spec. Lists **every** bad field, and the message names them
 * all, so an admin fixes everything in one go. Never contains a submitted value.
 */
export class ConfigValidationError extends Error {
  override readonly name = "ConfigValidationError";
  readonly code = "config_invalid";
  /** The configuration module, e.g. `discord`. */
  readonly module: string;
  /** One entry per bad field, in spec order. */
  readonly issues: ConfigIssue[];

  constructor(module: string, issues: ConfigIssue[]) {
    super(
      `invalid ${module} configuration (${issues.length} ${issues.length === 1 ? "field" : "fields"}): ` +
        issues.map((i) => `${i.field}: ${i.message}`).join("; "),
    );
    this.module = module;
    this.issues = issues;
  }
}

/**
 * A configuration save based on a version that is no longer the latest (someone else saved in
 * between). Reload, re-apply the change and save again.
 */
export class ConfigConflictError extends Error {
  override readonly name = "ConfigConflictError";
  readonly code = "config_conflict";
  readonly module: string;
  /** The version the caller based its change on (`0` = no version yet). */
  readonly expectedVersion: number;
  /** The latest version in the store when the save was attempted. */
  readonly actualVersion: number;

  constructor(module: string, expectedVersion: number, actualVersion: number) {
    super(
      `${module} configuration changed meanwhile: expected version ${expectedVersion}, the latest is ` +
        `${actualVersion}; reload and apply the change again`,
    );
    this.module = module;
    this.expectedVersion = expectedVersion;
    this.actualVersion = actualVersion;
  }
}

/** One problem with one environment variable. */
export interface ProcessSettingsProblem {
  /** The environment variable, e.g. `STATE_SIGNING_KEY`. */
  variable: string;
  /** One line: what is wrong and an example of a good value. Never echoes a secret. */
  message: string;
}

/**
 * The process environment does not describe a runnable process. `message` has one line per problem
 * (name the variable, what is wrong, an example of a good value); secret values are never echoed.
 */
export class ProcessSettingsError extends Error {
  override readonly name = "ProcessSettingsError";
  readonly code = "process_settings_invalid";
  readonly problems: ProcessSettingsProblem[];

  constructor(problems: ProcessSettingsProblem[]) {
    super(
      `invalid process settings (${problems.length} ${problems.length === 1 ? "problem" : "problems"}):\n` +
        problems.map((p) => `  - ${p.message}`).join("\n"),
    );
    this.problems = problems;
  }
}
