import { type OAuthFlowError, SessionRequiredError } from "./errors";
import type { ReplaceConfirmation } from "./link-replace";

const HTML_ESCAPES: Record<string, string> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
};

/** Escapes text for HTML. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c] ?? c);
}

function page(title: string, body: string, status: number): Response {
  const html = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title></head><body><main><h1>${escapeHtml(title)}</h1>${body}</main></body></html>`;
  return new Response(html, { status, headers: { "content-type": "text/html; charset=utf-8" } });
}

/** The default refusal page: the error's message and a "start again" link. */
export function defaultErrorPage(input: {
  error: OAuthFlowError;
  status: number;
  startAgain: string;
}): Response {
  const signIn = input.error instanceof SessionRequiredError;
  const title = signIn ? "Sign in first" : "Sign-in with Discord did not complete";
  const action = signIn ? "Go to the home page" : "Start again";
  return page(
    title,
    `<p role="alert" data-code="${escapeHtml(input.error.code)}">${escapeHtml(input.error.message)}</p><p><a href="${escapeHtml(input.startAgain)}">${escapeHtml(action)}</a></p>`,
    input.status,
  );
}

/** How a Discord account is named on a page: its name, with its id. */
export function discordAccountLabel(account: { discordUserId: string; username: string | null }): string {
  return account.username === null ? account.discordUserId : `${account.username} (${account.discordUserId})`;
}

/**
 * The default "Replace Discord account X with Y?" page: a form posting `replace_token` to `action`,
 * and a way back that changes nothing.
 */
export function defaultReplacePage(confirmation: ReplaceConfirmation, action: string): Response {
  const next = discordAccountLabel({
    discordUserId: confirmation.next.discordUserId,
    username: confirmation.next.globalName ?? confirmation.next.username,
  });
  return page(
    "Replace your Discord account?",
    `<p>Replace Discord account <strong>${escapeHtml(discordAccountLabel(confirmation.previous))}</strong> with <strong>${escapeHtml(next)}</strong>? The roles the old account holds here will be removed from it.</p><form method="post" action="${escapeHtml(action)}"><input type="hidden" name="replace_token" value="${escapeHtml(confirmation.replaceToken)}"><button type="submit">Replace</button></form><p><a href="${escapeHtml(confirmation.returnPath)}">Keep the current account</a></p>`,
    200,
  );
}
