export {
  BAN_GUARD_DEFAULTS,
  type BanGuard,
  type BanGuardOptions,
  type BanGuardSnapshot,
  type BanGuardState,
  createBanGuard,
} from "./guard";
export {
  createMemoryInvalidRequestLedger,
  type InvalidRequestLedger,
  type MemoryInvalidRequestLedgerOptions,
} from "./ledger";
export { createRedisInvalidRequestLedger, type RedisInvalidRequestLedgerOptions } from "./redis-ledger";
