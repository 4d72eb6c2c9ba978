import { GuildkitError } from "@guildkit/core";
import { EXIT } from "./io";

/** An error a `guildkit` command ends with: its message is printed, `exitCode` returned. */
export class CliError extends GuildkitError {
  readonly exitCode: number;
  constructor(message: string, exitCode: number, cause?: unknown) {
    super(message, { retryable: false, code: `exit_${exitCode}`, ...(cause === undefined ? {} : { cause }) });
    this.name = "CliError";
    this.exitCode = exitCode;
  }
}

/** A bad argument the parser cannot see (exit 2). */
export class CliUsageError extends CliError {
  constructor(message: string) {
    super(message, EXIT.usage);
    this.name = "CliUsageError";
  }
}

/** The environment's process settings are wrong (exit 1, as every guildkit process at start). */
export class CliEnvironmentError extends CliError {
  constructor(message: string, cause?: unknown) {
    super(message, EXIT.failed, cause);
    this.name = "CliEnvironmentError";
  }
}

/** Incomplete or invalid stored settings (exit 2). */
export class CliSettingsError extends CliError {
  constructor(message: string, cause?: unknown) {
    super(message, EXIT.usage, cause);
    this.name = "CliSettingsError";
  }
}

/** The database did not answer (exit 3). */
export class CliUnavailableError extends CliError {
  constructor(message: string, cause?: unknown) {
    super(message, EXIT.unavailable, cause);
    this.name = "CliUnavailableError";
  }
}
