import type { Dispatcher } from "undici";
import type { DiscordRest } from "../client";

/** How a setup check ended: `warn` does not fail the run, `skip` means an earlier check failed or the input lacks what it needs. */
export type SetupCheckStatus = "pass" | "fail" | "warn" | "skip";

/** One line of the setup doctor. */
export interface SetupCheckResult {
  /** Stable id: `token`, `application`, `client_secret`, `redirect_uri`, `guild`, `members_intent`, `manage_roles`, `manage_webhooks`, `role:<id>`, `webhook:<id>`… */
  id: string;
  /** What is checked, in words ("bot token valid"). */
  title: string;
  status: SetupCheckStatus;
  /** What was found (never a secret). */
  message: string;
  /** What to do, in words, when the check did not pass; `null` when it passed. */
  fix: string | null;
}

/** The whole run: `ok` is false when any check failed. */
export interface SetupReport {
  ok: boolean;
  checks: SetupCheckResult[];
  /** The bot invite URL with exactly the permissions guildkit needs (when the client id is known). */
  inviteUrl: string | null;
}

/** A webhook the doctor checks by URL (`GET /webhooks/{id}/{token}`, which posts nothing). */
export interface SetupWebhook {
  /** Id of the webhook definition (guildkit's, not Discord's). */
  id: string;
  name?: string | null;
  /** The webhook URL; holds a secret token, never printed. */
  url: string;
}

/** Input of {@link runSetupChecks}: the settings as configured (missing ones `null`). */
export interface SetupCheckInput {
  /** The bot token (without `Bot `). Secret. */
  botToken: string | null;
  /** The application's client id (`client_id` setting). */
  clientId: string | null;
  /** The client secret. Secret. */
  clientSecret: string | null;
  guildId: string | null;
  /** Every role guildkit grants (the `role_ids` setting and the roles the rules name). */
  roleIds: readonly string[];
  /** The OAuth2 redirect URIs the server uses (see {@link guildkitRedirectUris}); empty skips the check. */
  redirectUris?: readonly string[];
  /** Webhook definitions to check by URL. */
  webhooks?: readonly SetupWebhook[];
  /** The relay (PluralKit speedbump) lists channel webhooks: Manage Webhooks then fails instead of warning. */
  needsManageWebhooks?: boolean;
  /** Default `https://discord.com/api/v10`. */
  apiBaseUrl?: string;
  userAgent?: string;
  /** Per-request timeout (default 10 000 ms). */
  timeoutMs?: number;
  dispatcher?: Dispatcher;
  /** A client to reuse (its token must be `botToken`); by default one is made and closed. */
  rest?: DiscordRest;
  signal?: AbortSignal;
}
