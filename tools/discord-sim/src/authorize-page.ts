import type { AuthorizeRequest } from "./authorize";
import type { SimUser } from "./types";

const escapeHtml = (value: string): string =>
  value.replace(
    /[&<>"']/g,
    (ch) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[ch] ?? ch,
  );

const STYLE =
  "body{font-family:system-ui,sans-serif;background:#313338;color:#dbdee1;display:flex;justify-content:center;padding:48px}" +
  "main{background:#2b2d31;border-radius:8px;padding:32px;max-width:420px;width:100%}" +
  "h1{font-size:20px;color:#fff}ul{padding-left:20px}button{border:0;border-radius:4px;padding:10px 18px;font-size:15px;cursor:pointer}" +
  ".ok{background:#5865f2;color:#fff}.cancel{background:transparent;color:#dbdee1}select{width:100%;padding:8px;margin:8px 0 20px}" +
  ".error{color:#f23f43}" +
  // Authorize comes first in the form (the HTML default button, first on Tab) and has the focus, so
  // Enter submits it; it is shown right of Cancel.
  ".actions{display:flex;flex-direction:row-reverse;justify-content:flex-end;gap:8px}";

/** Users listed in the select (a seeded guild may hold 100,000). */
const MAX_LISTED_USERS = 200;

/** The consent page: app name, requested scopes, a user select, Authorize and Cancel. */
export function renderAuthorizePage(
  request: AuthorizeRequest,
  users: SimUser[],
  selected: string | null,
): string {
  const listed = users.filter((u) => !u.bot).slice(0, MAX_LISTED_USERS);
  const chosen = selected ? users.find((u) => u.id === selected) : undefined;
  if (chosen && !listed.includes(chosen)) listed.unshift(chosen);
  const hidden = Object.entries(request.params)
    .filter(([key]) => key !== "user" && key !== "action")
    .map(([key, value]) => `<input type="hidden" name="${escapeHtml(key)}" value="${escapeHtml(value)}">`)
    .join("");
  const options = listed
    .map((u) => {
      const label = `${u.global_name ?? u.username} (@${u.username}${u.email ? `, ${u.email}` : ""}${u.verified ? "" : ", unverified"})`;
      return `<option value="${escapeHtml(u.id)}"${u.id === selected ? " selected" : ""}>${escapeHtml(label)}</option>`;
    })
    .join("");
  const scopes = request.scopes.map((s) => `<li>${escapeHtml(s)}</li>`).join("");
  const appName = escapeHtml(request.app.name ?? request.app.clientId);
  return `<!doctype html><html><head><meta charset="utf-8"><title>Authorize ${appName} · Discord (sim)</title><style>${STYLE}</style></head><body><main>
<h1>${appName} wants to access your account</h1>
<p>This will allow the developer of ${appName} to:</p><ul id="scopes">${scopes}</ul>
<form method="post" action="/oauth2/authorize">${hidden}
<label for="user">Authorize as</label>
<select name="user" id="user">${options}</select>
<div class="actions">
<button type="submit" name="action" value="authorize" class="ok"${listed.length === 0 ? " disabled" : " autofocus"}>Authorize</button>
<button type="submit" name="action" value="cancel" class="cancel">Cancel</button>
</div>
</form></main></body></html>`;
}

/** The error page Discord shows instead of redirecting (bad client_id or redirect_uri). */
export function renderErrorPage(message: string): string {
  return `<!doctype html><html><head><meta charset="utf-8"><title>Discord (sim)</title><style>${STYLE}</style></head><body><main>
<h1>Something went wrong</h1><p class="error">${escapeHtml(message)}</p></main></body></html>`;
}
