import type { ConfigDescription } from "@guildkit/config";
import type { EntitlementRule } from "@guildkit/role-reconciler";
import type { Hono } from "hono";
import { action, type ConsoleDeps, page } from "./guard";
import { html } from "./html";
import { layout, respond } from "./layout";
import { readGuildRoles } from "./role-sync-roles";
import { type DraftRule, draftsOf, type FieldErrors, readRulesForm } from "./role-sync-rules";
import { rulesForm } from "./role-sync-rules-form";

/** What the page shows besides the saved rules. */
interface RulesPageState {
  drafts?: DraftRule[];
  errors?: FieldErrors;
  problem?: string | null;
  notice?: string | null;
  /** The version the submitted form was drawn from (kept when it is drawn again). */
  version?: number;
}

/**
 * `GET /admin/role-sync/rules`: the entitlement rules as a form, role pickers fed by the guild's
 * roles from Discord. `POST`: checks each field (the rule schemas of `@guildkit/role-reconciler`),
 * then saves through `PUT /admin/api/config/role_sync` with the version the form was drawn from —
 * a stale form gets a conflict, not a silent overwrite.
 */
export function rulesPages(app: Hono, deps: ConsoleDeps): void {
  const render = async (csrf: string, signal: AbortSignal, state: RulesPageState) => {
    const described = (await deps.api("GET", "/config/role_sync")).body as ConfigDescription;
    const field = described.fields.find((f) => f.key === "rules");
    const saved = field?.isSet === true;
    const markup = rulesForm({
      csrf,
      version: state.version ?? described.version,
      saved,
      drafts: state.drafts ?? draftsOf(saved ? (field?.value as EntitlementRule[]) : null),
      errors: state.errors ?? new Map(),
      roles: await readGuildRoles(deps.ctx, signal),
      problem: state.problem ?? null,
    });
    return layout(
      { title: "Role sync rules", page: "role-sync", csrf, notice: state.notice ?? null },
      html`<p><a href="/admin/role-sync">← Role sync status</a></p>${markup}`,
    );
  };

  app.get(
    "/admin/role-sync/rules",
    page(deps, async (c, s) =>
      respond(c, await render(s.csrf, c.req.raw.signal, { notice: c.req.query("notice") ?? null })),
    ),
  );

  app.post(
    "/admin/role-sync/rules",
    action(deps, async (c, s, form) => {
      const signal = c.req.raw.signal;
      const { rules, drafts, errors } = readRulesForm(form);
      const expectedVersion = Number(form.expectedVersion);
      const version = Number.isInteger(expectedVersion) ? expectedVersion : 0;
      if (errors.size > 0) {
        return respond(c, await render(s.csrf, signal, { drafts, errors, version }), 400);
      }
      const answer = await deps.api("PUT", "/config/role_sync", { rules, expectedVersion: version });
      if (answer.status === 200) {
        const notice = `Saved the rules as version ${answer.body.version}; the worker applies them at its next batch.`;
        return c.redirect(`/admin/role-sync/rules?notice=${encodeURIComponent(notice)}`, 303);
      }
      if (answer.status === 409) {
        const problem = `Someone saved the rules while you were editing (you started from version ${version}). Nothing was saved: the form now shows the latest rules; apply your change again and save.`;
        return respond(c, await render(s.csrf, signal, { problem }), 409);
      }
      if (answer.status === 400) {
        const problem = `Not saved: ${answer.body.message ?? "the rules were refused"}`;
        return respond(c, await render(s.csrf, signal, { drafts, problem, version }), 400);
      }
      throw new Error(`saving the role_sync settings answered ${answer.status}`);
    }),
  );
}
