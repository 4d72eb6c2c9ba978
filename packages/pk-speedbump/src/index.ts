export {
  emptyChannelState,
  isProxyMessage,
  isSpeedbumpOn,
  needsWebhookCheck,
  PLURALKIT_APPLICATION_ID,
  stateFromWebhooks,
} from "./channel-state";
export { handleMemberLeave, listMembersForLeave, listStaleMembers, sweepStaleMembers } from "./cleanup";
export type {
  CreateDelivery,
  DeleteDelivery,
  Delivery,
  MessageAttribution,
  UpdateDelivery,
} from "./delivery";
export { ProxyLookupTimeoutError, SpeedbumpConfigError, SpeedbumpStoppedError } from "./errors";
export {
  fromGatewayDispatch,
  type GatewayDispatch,
  type MessageAuthor,
  type MessageCreateEvent,
  type MessageDeleteBulkEvent,
  type MessageDeleteEvent,
  type MessageEvent,
  type MessageUpdateEvent,
  mergeUpdate,
  messageEventSchema,
  parseMessageEvent,
  routingChannelId,
} from "./events";
export { createHoldQueue, type HoldQueue, type Queued } from "./hold-queue";
export {
  type DisplayNameParts,
  defaultDisplayName,
  fallbackIdentity,
  type IdentityOptions,
  mapIdentity,
  memberKey,
  type PluralKitIdentity,
  toMemberRecord,
  type WebhookProfile,
  webhookProfile,
} from "./identity";
export { createLines, type Lines } from "./lines";
export {
  createMemorySpeedbumpStore,
  type MemoryProxySighting,
  type MemorySpeedbumpStore,
} from "./memory-store";
export { type ResolvedSpeedbumpOptions, resolveSpeedbumpOptions, type SpeedbumpOptions } from "./options";
export type {
  ChannelState,
  ChannelWebhook,
  ChannelWebhooks,
  Clock,
  DeliverySink,
  EventLog,
  EventLogEntry,
  IoOptions,
  PendingHold,
  PkMember,
  PkMessage,
  PkSystem,
  ProxiedMember,
  ProxyLookup,
  ProxyMemberRecord,
  ProxyMemberStore,
  Scheduler,
  SpeedbumpStore,
  StaleProxyMember,
  TimerHandle,
  UnresolvedProxyMessage,
} from "./ports";
export { createRelay, type Relay, type RelayOptions, type RelayStats } from "./relay/create-relay";
export { createSinkDelivery, type SinkCounters } from "./relay/deliver";
export { createRelayInput, type RelayInput } from "./relay/input";
export type { RelayEventSource, RelayLogger, RelaySink } from "./relay/ports";
export { nextRetry, type RelayRetryOptions, type RelayRetryPolicy, resolveRelayRetry } from "./relay/retry";
export {
  type SinkEditBody,
  type SinkProfile,
  sinkContent,
  sinkEditBody,
  sinkPostBody,
  sinkProfile,
  sinkUsername,
} from "./relay/sink-message";
export {
  createSpeedbump,
  type DecideState,
  type DeliverReason,
  type DropReason,
  decide,
  type HoldReason,
  type ResolvedIdentity,
  type Speedbump,
  type SpeedbumpDecision,
  type SpeedbumpDeps,
  type SpeedbumpStartResult,
  type SpeedbumpStats,
  type Step,
} from "./speedbump";
