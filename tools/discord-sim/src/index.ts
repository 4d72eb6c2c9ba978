export type { SimApi } from "./api";
export { DEFAULT_RESOURCE_LIMITS } from "./context";
export { DEMO, type DemoSeed, seedDemo } from "./demo";
export { type DiscordErrorBody, DiscordSimError, type DiscordSimErrorCode } from "./errors";
export { ACCESS_TOKEN_TTL_S } from "./oauth-grants";
export { DEFAULT_BOT_PERMISSIONS, DEFAULT_EVERYONE_PERMISSIONS, PERMISSIONS } from "./permissions";
export { PNG_SIGNATURE, renderAvatarPng } from "./png";
export {
  bucketHash,
  DEFAULT_GLOBAL_PER_SECOND,
  DEFAULT_PLURALKIT_PER_SECOND,
  DEFAULT_ROUTE_LIMITS,
  GLOBAL_BUCKET_HASH,
} from "./rate-limits";
export { applySeedBatch, type SeedBatch, type SeedBatchResult, seedBatchSchema } from "./seed-batch";
export { startDiscordSim } from "./sim";
export { DISCORD_EPOCH, isSnowflake, snowflakeTime } from "./snowflake";
export { pkceChallenge } from "./tokens";
export type * from "./types";
