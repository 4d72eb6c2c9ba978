import type { KeptGrantStatus } from "@guildkit/oauth-state";
import { html, type SafeHtml } from "./html";

/**
 * The member's kept Discord OAuth grant on the console's member view: its scopes and expiry, or that
 * Discord refused to renew it and the member must link again. Never a token (the status has none).
 */
export function memberGrantView(status: KeptGrantStatus | null): SafeHtml {
  if (status === null) return html`<p id="member-grant" class="muted">No Discord OAuth grant kept.</p>`;
  if (status.consentNeededAt !== null) {
    return html`<p id="member-grant" class="bad"><strong>Needs re-consent</strong> since ${status.consentNeededAt.toISOString()}: Discord refused to renew the grant (${status.scopes.join(
      ", ",
    )}); the member must link their Discord account again.</p>`;
  }
  return html`<p id="member-grant">Discord OAuth grant kept for ${status.scopes.join(", ")} (account ${
    status.discordUserId
  }), access token valid until ${status.expiresAt.toISOString()}; the worker renews it before then.</p>`;
}
