import { createHash } from "node:crypto";
import {
  discordAccountLabel,
  escapeHtml,
  type ReplaceConfirmation,
  type SignupConfirmation,
} from "@guildkit/oauth-state";

/** The one inline style of every page; the CSP lets exactly this text through, by its hash. */
const STYLE =
  "body{font-family:system-ui,sans-serif;max-width:40rem;margin:3rem auto;padding:0 1rem;line-height:1.5}" +
  "a.button,button{display:inline-block;padding:.5rem 1rem;border-radius:.4rem;border:0;background:#5865f2;color:#fff;text-decoration:none;font-size:1rem;cursor:pointer}" +
  "dt{font-weight:600}";

/**
 * The CSP source that allows the style {@link layout} inlines, and nothing else:
 * `'sha256-<base64 of STYLE's SHA-256>'`. `src/security-headers.ts` puts it in `style-src`, so every
 * page built with `layout()` keeps its look under `default-src 'self'` (no `'unsafe-inline'`).
 */
export const LAYOUT_STYLE_SOURCE = `'sha256-${createHash("sha256").update(STYLE).digest("base64")}'`;

/** A page: title, the shared inline style (allowed by {@link LAYOUT_STYLE_SOURCE}), and no script. */
function layout(title: string, body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>${escapeHtml(title)}</title><style>${STYLE}</style></head><body><main>${body}</main></body></html>`;
}

/** The home page: "Login with Discord" when OAuth is configured, a notice otherwise. */
export function homePage(input: { loginEnabled: boolean; next: string }): string {
  const login = input.loginEnabled
    ? `<p><a class="button" id="login-discord" href="/login/discord?next=${encodeURIComponent(input.next)}">Login with Discord</a></p>`
    : `<p id="login-unavailable">Login with Discord is not configured on this server yet. An administrator sets the Discord client id and secret in the admin settings.</p>`;
  return layout("guildkit", `<h1>guildkit</h1><p>The reference server of guildkit.</p>${login}`);
}

/** The signed-in page: the member, "Link Discord account", "Sign out" and "Sign out everywhere". */
export function memberPage(input: {
  memberId: string;
  name: string | null;
  email: string | null;
  discordUserId: string | null;
  discordUsername: string | null;
  linkEnabled: boolean;
  path: string;
  /** The kept OAuth grant (no token), or `null` when none is kept. */
  grant: { scopes: readonly string[]; expiresAt: Date; consentNeeded: boolean } | null;
}): string {
  const row = (label: string, value: string | null, id: string) =>
    `<dt>${label}</dt><dd id="${id}">${value === null ? "—" : escapeHtml(value)}</dd>`;
  const link = input.linkEnabled
    ? `<p><a class="button" id="link-discord" href="/discord/login?next=${encodeURIComponent(input.path)}">Link Discord account</a></p>`
    : "";
  const grant =
    input.grant === null
      ? ""
      : input.grant.consentNeeded
        ? `<p id="discord-consent-needed"><strong>Discord needs your consent again</strong>: Discord refused to renew this site's access to your account (${escapeHtml(
            input.grant.scopes.join(", "),
          )}). Link your Discord account again to restore it.</p>`
        : `<p id="discord-grant">Discord access kept for: ${escapeHtml(input.grant.scopes.join(", "))}.</p>`;
  const unlink =
    input.discordUserId === null
      ? ""
      : `<form method="post" action="/discord/unlink"><button type="submit" id="unlink-discord">Unlink Discord account</button></form>`;
  return layout(
    "Your account",
    `<h1>Signed in</h1>${grant}<dl>${row("Member", input.memberId, "member-id")}${row("Name", input.name, "member-name")}${row(
      "Email",
      input.email,
      "member-email",
    )}${row("Discord account", input.discordUserId, "discord-user-id")}${row(
      "Discord name",
      input.discordUsername,
      "discord-username",
    )}</dl>${link}${unlink}<form method="post" action="/logout"><button type="submit" id="logout">Sign out</button></form><form method="post" action="/logout/everywhere"><button type="submit" id="logout-everywhere">Sign out everywhere</button></form>`,
  );
}

/** The signup confirmation page (the reference `onSignupConfirm`). */
export function signupPage(confirmation: SignupConfirmation): string {
  const name = confirmation.identity.globalName ?? confirmation.identity.username;
  return layout(
    "Create your account",
    `<h1>Create your account</h1><p>No account uses <strong id="signup-email">${escapeHtml(
      confirmation.identity.email,
    )}</strong> yet. Create one for ${escapeHtml(name)}, signed in with Discord?</p><form method="post" action="/login/discord/confirm"><input type="hidden" name="signup_token" value="${escapeHtml(
      confirmation.signupToken,
    )}"><button type="submit" id="confirm-signup">Create account</button></form><p><a href="/">Cancel</a></p>`,
  );
}

/** "Replace Discord account X with Y?" (the reference `renderReplaceConfirm`): posts `replace_token`. */
export function replacePage(confirmation: ReplaceConfirmation): string {
  const next = discordAccountLabel({
    discordUserId: confirmation.next.discordUserId,
    username: confirmation.next.globalName ?? confirmation.next.username,
  });
  return layout(
    "Replace your Discord account?",
    `<h1>Replace your Discord account?</h1><p>Replace Discord account <strong id="replace-previous">${escapeHtml(
      discordAccountLabel(confirmation.previous),
    )}</strong> with <strong id="replace-next">${escapeHtml(next)}</strong>? The roles the old account holds on the server are removed from it, and your other signed-in sessions are signed out.</p><form method="post" action="/discord/confirm"><input type="hidden" name="replace_token" value="${escapeHtml(
      confirmation.replaceToken,
    )}"><button type="submit" id="confirm-replace">Replace</button></form><p><a href="${escapeHtml(
      confirmation.returnPath,
    )}">Keep the current account</a></p>`,
  );
}
