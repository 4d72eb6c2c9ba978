export {
  createRequestBudget,
  parseResetHeader,
  type RequestBudget,
  type RequestBudgetOptions,
} from "./budget";
export {
  createPluralKitApi,
  type PluralKitApi,
  type PluralKitApiOptions,
  type PluralKitApiStats,
} from "./client";
export { PluralKitApiError, type PluralKitErrorReason } from "./errors";
export {
  type PluralKitMember,
  type PluralKitMessage,
  type PluralKitSystem,
  pluralKitMemberSchema,
  pluralKitMessageSchema,
  pluralKitSystemSchema,
} from "./schema";
