/**
 * @guildkit/core — the ports every guildkit core shares (`Clock`, `Scheduler`, `EventLog`,
 * `SecretBox`), the error contract (`RetryableError`), backoff, a coalescing event log, the
 * AES-256-GCM secret box and the one Discord webhook URL parser. Pure: no I/O, no timers, no system clock — those live in
 * `@guildkit/core/system`; fake time in `@guildkit/core/testing`.
 *
 * @packageDocumentation
 */

export { type BackoffOptions, type BackoffPolicy, backoffMs } from "./backoff";
export {
  type CoalescingEventLog,
  type CoalescingEventLogOptions,
  type CoalescingFlushOptions,
  createCoalescingEventLog,
} from "./coalesce";
export { createSecretBox, SECRET_KEY_BYTES, type SecretBoxKeys } from "./create-secret-box";
export {
  DISCORD_WEBHOOK_HOSTS,
  type DiscordWebhookUrlFailure,
  type DiscordWebhookUrlOptions,
  type DiscordWebhookUrlParts,
  type DiscordWebhookUrlResult,
  parseDiscordWebhookUrl,
} from "./discord-webhook-url";
export {
  errnoOf,
  GuildkitError,
  type GuildkitErrorFields,
  isAbortError,
  isRetryableError,
  isTimeoutError,
  type RetryableError,
  retryAfterMsOf,
} from "./errors";
export { createOffsetClock, type OffsetClock, type OffsetClockOptions } from "./offset-clock";
export type { Clock, EventLog, EventLogEntry, IoOptions, Scheduler, TimerHandle } from "./ports";
export {
  isSealedSecret,
  parseSealedSecret,
  SEALED_PREFIX,
  SEALED_VERSION,
  type SealedParts,
  type SecretBox,
  SecretBoxError,
  type SecretBoxErrorReason,
  type SecretBoxOptions,
  sealedKeyId,
} from "./secret-box";
