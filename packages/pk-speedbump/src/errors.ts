/** An option given to {@link createSpeedbump} is out of range; the message says which and why. */
export class SpeedbumpConfigError extends Error {
  override readonly name = "SpeedbumpConfigError";
  readonly code = "invalid_option";
  /** The option's path, e.g. `delayMs` or `identity.handlePrefix`. */
  readonly option: string;

  constructor(option: string, problem: string) {
    super(`speedbump option ${option}: ${problem}`);
    this.option = option;
  }
}

/** An event was handed to a speedbump after `stop()`; start a new one (holds are persisted). */
export class SpeedbumpStoppedError extends Error {
  override readonly name = "SpeedbumpStoppedError";
  readonly code = "stopped";

  constructor() {
    super("the speedbump was stopped; create and start a new one to handle more events");
  }
}

/**
 * PluralKit did not answer a lookup within the speedbump's `lookupTimeoutMs`. The proxied message
 * is delivered under the webhook's own name and avatar and its identity resolved later; a slow
 * PluralKit never holds up a channel for longer than the deadline.
 */
export class ProxyLookupTimeoutError extends Error {
  override readonly name = "ProxyLookupTimeoutError";
  readonly code = "lookup_timeout";
  /** Worth retrying: PluralKit may answer next time. */
  readonly retryable = true;
  readonly timeoutMs: number;

  constructor(timeoutMs: number) {
    super(`PluralKit did not answer within ${timeoutMs} ms; using the webhook's profile for now`);
    this.timeoutMs = timeoutMs;
  }
}
