import { createConfigLoader } from "@guildkit/config";
import { roleSyncConfigSpec } from "@guildkit/role-reconciler";
import type { Hono } from "hono";
import { action, type ConsoleDeps, page } from "./guard";
import { html, type SafeHtml } from "./html";
import { csrfField, layout, respond } from "./layout";
import { memberGrantView } from "./member-grant";
import { dryRun } from "./role-sync-dry-run";
import { memberView, planView } from "./role-sync-plan";
import { guildRolesView, rolesHeldView } from "./role-sync-roles";
import { rulesSummary } from "./role-sync-rules-form";
import { rulesPages } from "./role-sync-rules-page";
import { activeBlocks, activityView, blocksView, lastRoundView, memberErrorsView } from "./role-sync-status";

/** How long a dry run may read Discord before it is given up. */
const PLAN_TIMEOUT_MS = 120_000;

/**
 * The role sync page: members per state, members due, the rules in force, the recent rounds and
 * blocks from the event log (each reason says the fix), a dry-run plan (read-only: Discord is read,
 * nothing changed), "Reconcile now" (every linked member made due: the worker converges them)
 * and "reconcile this member". Reconciling itself stays the worker's job.
 */
export function roleSyncPages(app: Hono, deps: ConsoleDeps): void {
  const { ctx } = deps;
  const { roleSync, eventLog } = ctx.store;

  rulesPages(app, deps);
  /** The grace period in force (`role_sync.grace_period_hours`), in ms; 0 when unreadable. */
  const graceMs = async () => {
    const loaded = await createConfigLoader({ store: ctx.store.configStore, spec: roleSyncConfigSpec })
      .load()
      .catch(() => null);
    return (loaded?.grace_period_hours ?? 0) * 3_600_000;
  };
  /** The roles the member's linked account holds in Discord now (`null`: not linked). */
  const heldBy = async (memberId: string) => {
    const linked = (await ctx.store.members.getById(memberId))?.discordUserId ?? null;
    return linked ? rolesHeldView(ctx, linked, AbortSignal.timeout(15_000)) : null;
  };
  const render = async (
    csrf: string,
    extra: {
      notice?: string | null;
      plan?: SafeHtml | null;
      memberId?: string | null;
      roles?: SafeHtml | null;
    },
  ) => {
    const now = deps.clock.now();
    const memberId = extra.memberId && /^[0-9]{1,19}$/.test(extra.memberId) ? extra.memberId : null;
    const member = memberId
      ? memberView({
          memberId,
          csrf,
          grants: await roleSync.ledger.list({ memberIds: [memberId] }),
          graceMs: await graceMs(),
          held: await heldBy(memberId),
          grant: memberGrantView(await ctx.store.oauth.memberTokens.status({ memberId })),
          events: (await eventLog.list({ memberId, limit: 20 })).filter((e) => e.kind.startsWith("role")),
        })
      : "";
    const counts = await roleSync.countByState();
    const round = await ctx.store.taskStatus.read("role-sync");
    const due = await roleSync.queue.countDue({ now });
    const rules = (await deps.api("GET", "/config/role_sync")).body.fields?.[0];
    const activity = await eventLog.list({ kindPrefix: "role", limit: 6 });
    const failures = await eventLog.list({ kind: "role.permanent_error", limit: 50 });
    const blocks = activeBlocks(
      [...failures, ...(await eventLog.list({ kind: "role.bulk_unavailable", limit: 10 }))],
      await eventLog.list({ kind: "role.recovered", limit: 50 }),
    );
    const states = ["ok", "grace", "retrying", "permanent_error", "not_in_guild", "unlinked"] as const;
    const label: Record<(typeof states)[number], string> = {
      ok: "synced",
      grace: "in a grace period",
      retrying: "in backoff",
      permanent_error: "permanent error",
      not_in_guild: "not in the guild",
      unlinked: "unlinked (revoking)",
    };
    return layout(
      { title: "Role sync", page: "role-sync", csrf, notice: extra.notice },
      html`<div class="counts" id="sync-counts"><div><strong id="count-due">${due}</strong>due now</div>${states.map(
        (s) => html`<div><strong id="count-${s}">${counts[s] ?? 0}</strong>${label[s]}</div>`,
      )}</div>${lastRoundView(round, now)}${memberErrorsView(failures)}<h2>Blocks</h2>${blocksView(blocks)}<h2>Rules</h2>${rulesSummary(
        rules?.isSet ? rules.value : null,
      )}<p><a href="/admin/role-sync/rules" id="edit-rules">Edit the rules</a> · <a href="/admin/role-sync?roles=1#guild-roles" id="show-roles">Show the guild's roles (ids to copy)</a></p>${extra.roles ?? ""}<h2>Run</h2><form method="post" action="/admin/role-sync/plan" class="inline">${csrfField(
        csrf,
      )}<button type="submit" id="dry-run">Dry run (change nothing)</button></form><form method="post" action="/admin/role-sync/reconcile" class="inline">${csrfField(
        csrf,
      )}<button type="submit" id="reconcile-now" class="secondary">Reconcile now</button></form><form method="post" action="/admin/role-sync/member" class="inline">${csrfField(
        csrf,
      )}<input type="text" name="memberId" id="member-id" placeholder="member id" size="10" required><button type="submit" id="reconcile-member" class="secondary">Reconcile this member</button></form><form method="get" action="/admin/role-sync" class="inline"><input type="text" name="member" id="lookup-member" placeholder="member id" size="10" required><button type="submit" id="lookup" class="secondary">Look up member</button></form>${
        extra.plan ?? ""
      }${member}<h2>Recent activity</h2>${activityView(activity)}`,
    );
  };

  app.get(
    "/admin/role-sync",
    page(deps, async (c, s) =>
      respond(
        c,
        await render(s.csrf, {
          notice: c.req.query("notice") ?? null,
          memberId: c.req.query("member"),
          roles: c.req.query("roles") ? await guildRolesView(deps.ctx, c.req.raw.signal) : null,
        }),
      ),
    ),
  );

  app.post(
    "/admin/role-sync/plan",
    action(deps, async (c, s) => {
      const signal = AbortSignal.any([c.req.raw.signal, AbortSignal.timeout(PLAN_TIMEOUT_MS)]);
      const result = await dryRun(ctx, signal);
      if (result.status === "incomplete") {
        const missing = html`<p class="bad" id="plan-incomplete">The settings are incomplete: ${result.missing.join(
          ", ",
        )}. Fill them in on the <a href="/admin/settings">Settings</a> page.</p>`;
        return respond(c, await render(s.csrf, { plan: missing }), 400);
      }
      return respond(c, await render(s.csrf, { plan: planView(result.plan) }));
    }),
  );

  app.post(
    "/admin/role-sync/reconcile",
    action(deps, async (c) => {
      const now = deps.clock.now();
      const made = await roleSync.queue.scheduleFullPass({ now, checkedBefore: now });
      const notice = `${made} member(s) are due now; the worker reconciles them (members in backoff keep their retry time).`;
      return c.redirect(`/admin/role-sync?notice=${encodeURIComponent(notice)}`, 303);
    }),
  );

  app.post(
    "/admin/role-sync/member",
    action(deps, async (c, _s, form) => {
      const id = (form.memberId ?? "").trim();
      const made = /^[0-9]{1,19}$/.test(id)
        ? await roleSync.queue.markDue({ now: deps.clock.now(), memberIds: [id] })
        : 0;
      const notice =
        made > 0 ? `Member ${id} is due now.` : `No sync row for member ${id || "(none)"}: is it linked?`;
      const back = made > 0 ? `&member=${id}` : "";
      return c.redirect(`/admin/role-sync?notice=${encodeURIComponent(notice)}${back}`, 303);
    }),
  );
}
