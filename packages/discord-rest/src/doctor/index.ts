export { botInviteUrl, GUILDKIT_BOT_PERMISSIONS, guildkitRedirectUris } from "./permissions";
export { formatSetupReport, runSetupChecks } from "./run";
export type { SetupCheckInput, SetupCheckResult, SetupCheckStatus, SetupReport, SetupWebhook } from "./types";
