export { createRelay, type Relay, type RelayOptions, type RelayStats } from "./create-relay";
export { createSinkDelivery, type SinkCounters } from "./deliver";
export { createRelayInput, type RelayInput } from "./input";
export type { RelayEventSource, RelayLogger, RelaySink } from "./ports";
export { nextRetry, type RelayRetryOptions, type RelayRetryPolicy, resolveRelayRetry } from "./retry";
export {
  type SinkEditBody,
  type SinkProfile,
  sinkContent,
  sinkEditBody,
  sinkPostBody,
  sinkProfile,
  sinkUsername,
} from "./sink-message";
