export { type DescribedField, describeConfig } from "./describe";
export { type DiscordConfig, discordConfigSpec, MEMBER_GRANT_SCOPES } from "./discord";
export {
  ConfigConflictError,
  type ConfigIssue,
  ConfigValidationError,
  ProcessSettingsError,
  type ProcessSettingsProblem,
} from "./errors";
export { type ConfigField, type FieldMeta, field } from "./field";
export {
  type ConfigDescription,
  type ConfigLoader,
  createConfigLoader,
  type LoadCompleteResult,
  type MaskedConfigVersion,
} from "./loader";
export { maskSecret, maskSecrets, SECRET_MASK } from "./mask";
export {
  createMemoryConfigStore,
  type MemoryConfigStore,
  type MemoryConfigStoreOptions,
} from "./memory-config-store";
export {
  type BudgetSettings,
  type DatabaseSettings,
  type Environment,
  type EnvironmentVariables,
  type LogLevel,
  type ProcessSettings,
  parseProcessSettings,
  parseWorkerSettings,
  type RetrySettings,
  redactProcessSettings,
  type WorkerSettings,
} from "./process-settings";
export {
  type OpenedValues,
  openSecretFields,
  sealSecretFields,
  secretContext,
  secretFieldKeys,
} from "./secret-fields";
export { isSnowflake, snowflakeSchema } from "./snowflake";
export {
  type CompleteConfigValues,
  type ConfigFields,
  type ConfigKey,
  type ConfigSpec,
  type ConfigValues,
  defineConfigSpec,
} from "./spec";
export type { ConfigStore, ConfigVersion } from "./store";
export { type ConfigCheck, checkConfig, isUnset, ownValue, plainRecord, validateConfig } from "./validate";
