/**
 * @guildkit/core — the ports every guildkit core shares (`Clock`, `Scheduler`, `EventLog`,
 * `SecretBox`), a coalescing event log and the AES-256-GCM secret box. Pure: no I/O, no timers, no
 * system clock.
 *
 * @packageDocumentation
 */

export {
  type CoalescingEventLog,
  type CoalescingEventLogOptions,
  type CoalescingFlushOptions,
  createCoalescingEventLog,
} from "./coalesce";
export { createSecretBox, SECRET_KEY_BYTES, type SecretBoxKeys } from "./create-secret-box";
export type { Clock, EventLog, EventLogEntry, IoOptions, Scheduler } from "./ports";
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
