import type { ConfigDescription, ConfigIssue, ConfigSpec, MaskedConfigVersion } from "@guildkit/config";
import type { SetupReport } from "@guildkit/discord-rest";
import type { Context, Hono } from "hono";
import { action, type ConsoleDeps, type FormFields, page } from "./guard";
import { html, type SafeHtml } from "./html";
import { csrfField, layout, respond } from "./layout";
import { CONFIG_MODULES, fieldInput, formChanges } from "./settings-form";
import { historyTable } from "./settings-history";
import { checkSavedSetup, setupPanel } from "./setup-check";

/** How long "Check setup" may wait for Discord before the page is drawn without it. */
const CHECK_TIMEOUT_MS = 60_000;

/** How one module's form is drawn after a submission that did not save. */
interface FormState {
  module: string;
  issues: ConfigIssue[];
  /** The submitted texts, shown again (never for secrets). */
  form: FormFields | null;
  conflict: string | null;
}

/**
 * `GET /admin/settings`: one form per configuration module, generated from its spec (sections,
 * labels, help; secrets masked and kept unless retyped), with its version history.
 * `POST /admin/settings/:module`: saves through `PUT /admin/api/config/:module` with the version
 * the form was drawn from, so a stale form gets a conflict, not a silent overwrite.
 */
export function settingsRoutes(app: Hono, deps: ConsoleDeps): void {
  const render = async (
    c: Context,
    csrf: string,
    state: FormState | null,
    notice: string | null,
    report: SetupReport | null = null,
  ) => {
    const sections: SafeHtml[] = [setupPanel(csrf, report)];
    for (const [module, spec] of Object.entries(CONFIG_MODULES)) {
      const described = (await deps.api("GET", `/config/${module}`)).body as ConfigDescription;
      const history = (await deps.api("GET", `/config/${module}/history?limit=10`)).body
        .versions as MaskedConfigVersion[];
      sections.push(
        moduleForm(module, spec, described, history, csrf, state?.module === module ? state : null),
      );
    }
    const status = state?.conflict ? 409 : state ? 400 : 200;
    return respond(
      c,
      layout({ title: "Settings", page: "settings", csrf, notice }, html`${sections}`),
      status,
    );
  };

  app.get(
    "/admin/settings",
    page(deps, (c, session) => {
      const saved = c.req.query("saved");
      return render(
        c,
        session.csrf,
        null,
        saved && saved in CONFIG_MODULES ? `Saved the ${saved} settings.` : null,
      );
    }),
  );

  // Before `/admin/settings/:module`, which would take "check" for a module name.
  app.post(
    "/admin/settings/check",
    action(deps, async (c, session) => {
      const signal = AbortSignal.any([c.req.raw.signal, AbortSignal.timeout(CHECK_TIMEOUT_MS)]);
      return render(c, session.csrf, null, null, await checkSavedSetup(deps.ctx, signal));
    }),
  );

  app.post(
    "/admin/settings/:module",
    action(deps, async (c, session, form) => {
      const module = c.req.param("module") ?? "";
      const spec = CONFIG_MODULES[module];
      if (!spec) return c.text(`No configuration module "${module}".`, 404);
      const { changes, issues } = formChanges(spec, form);
      if (issues.length > 0) return render(c, session.csrf, { module, issues, form, conflict: null }, null);
      const expectedVersion = Number(form.expectedVersion);
      const answer = await deps.api("PUT", `/config/${module}`, {
        ...changes,
        expectedVersion: Number.isInteger(expectedVersion) ? expectedVersion : 0,
      });
      if (answer.status === 200) return c.redirect(`/admin/settings?saved=${module}#settings-${module}`, 303);
      if (answer.status === 409) {
        const conflict = `Someone saved these settings while you were editing (you started from version ${form.expectedVersion}). Nothing was saved: the form now shows the latest version; apply your change again and save.`;
        return render(c, session.csrf, { module, issues: [], form: null, conflict }, null);
      }
      if (answer.status === 400) {
        return render(
          c,
          session.csrf,
          { module, issues: answer.body.issues ?? [], form, conflict: null },
          null,
        );
      }
      throw new Error(`saving ${module} settings answered ${answer.status}`);
    }),
  );
}

function moduleForm(
  module: string,
  spec: ConfigSpec,
  described: ConfigDescription,
  history: MaskedConfigVersion[],
  csrf: string,
  state: FormState | null,
): SafeHtml {
  const errors = new Map<string, string>();
  for (const issue of [...(state?.issues ?? []), ...described.issues]) {
    if (!errors.has(issue.field)) errors.set(issue.field, issue.message);
  }
  const bySection = new Map<string, SafeHtml[]>();
  for (const field of described.fields) {
    const submitted = state?.form && !field.secret ? state.form[`f.${field.key}`] : undefined;
    const list = bySection.get(field.section) ?? [];
    list.push(fieldInput(module, spec, field, { error: errors.get(field.key) ?? null, submitted }));
    bySection.set(field.section, list);
  }
  const unknown = [...errors.keys()].filter((key) => !(key in spec.fields));
  return html`<section id="settings-${module}"><h2>${module.replace("_", " ")} settings</h2><p class="muted">Version ${
    described.version
  }${described.createdAt ? html`, saved ${new Date(described.createdAt).toISOString()} by ${described.createdBy ?? "unknown"}` : ""}.</p>${
    state?.conflict
      ? html`<p class="conflict" id="conflict-${module}" role="alert">${state.conflict}</p>`
      : ""
  }${
    state && state.issues.length > 0
      ? html`<p class="error" id="errors-${module}" role="alert">Not saved: ${state.issues.length} ${state.issues.length === 1 ? "field needs" : "fields need"} fixing (see below).</p>`
      : ""
  }${
    module === "role_sync"
      ? html`<p><a href="/admin/role-sync/rules" id="rules-editor">Edit the rules with role pickers</a> (the JSON below is the same setting).</p>`
      : ""
  }${unknown.map((key) => html`<p class="field-error">${key}: ${errors.get(key)}</p>`)}<form method="post" action="/admin/settings/${module}" id="form-${module}">${csrfField(
    csrf,
  )}<input type="hidden" name="expectedVersion" value="${described.version}">${[...bySection].map(
    ([section, inputs]) => html`<fieldset><legend>${section}</legend>${inputs}</fieldset>`,
  )}<button type="submit" id="save-${module}">Save ${module.replace("_", " ")} settings</button></form><h3>History</h3>${historyTable(
    module,
    spec,
    history,
  )}</section>`;
}
