import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { lastRoundView } from "../src/admin/role-sync-status";
import { createServerApp } from "../src/app";
import type { ServerContext } from "../src/context";
import { postForm, signIn } from "./admin-helpers";
import { createTestContext } from "./helpers";

let ctx: ServerContext;
let teardown: () => Promise<void>;
beforeEach(async () => {
  ({ ctx, teardown } = await createTestContext());
});
afterEach(async () => teardown());

describe("admin console role sync page", () => {
  it("a dry run with incomplete settings names what is missing", async () => {
    const app = createServerApp(ctx);
    const login = await signIn(app);
    const res = await postForm(app, login, "/admin/role-sync/plan", {});
    expect(res.status).toBe(400);
    const body = await res.text();
    expect(body).toContain('id="plan-incomplete"');
    expect(body).toMatch(/The settings are incomplete: bot_token, guild_id, role_ids/);
  });

  it("Reconcile now makes every linked member due; one member can be made due and looked up", async () => {
    const app = createServerApp(ctx);
    const login = await signIn(app);
    const a = await ctx.store.members.create({
      email: "a@example.test",
      discordUserId: "1400000000000000001",
      paymentStatus: "active",
    });
    await ctx.store.members.create({
      email: "b@example.test",
      discordUserId: "1400000000000000002",
      paymentStatus: null,
    });
    const all = await postForm(app, login, "/admin/role-sync/reconcile", {});
    expect(all.status).toBe(303);
    const page = await (
      await app.request(all.headers.get("location") ?? "", { headers: { cookie: login.cookie } })
    ).text();
    expect(page).toMatch(/id="notice"[^>]*>\d+ member\(s\) are due now/);
    expect(page).toMatch(/<strong id="count-due">2<\/strong>/);

    const one = await postForm(app, login, "/admin/role-sync/member", { memberId: a.id });
    expect(one.headers.get("location")).toContain(`member=${a.id}`);
    const detail = await (
      await app.request(one.headers.get("location") ?? "", { headers: { cookie: login.cookie } })
    ).text();
    expect(detail).toContain(`Member ${a.id} is due now.`);
    expect(detail).toContain('id="member-detail"');
    expect(detail).toContain("Holds no role granted by guildkit.");
    const none = await postForm(app, login, "/admin/role-sync/member", { memberId: "999999" });
    expect(decodeURIComponent(none.headers.get("location") ?? "")).toContain("No sync row for member 999999");
  });

  it("shows the blocks not yet recovered with their fix, members in permanent error with the reason, and the last activity", async () => {
    const app = createServerApp(ctx);
    const login = await signIn(app);
    const log = ctx.store.eventLog;
    const block = (roleId: string) => ({
      kind: "role.permanent_error",
      level: "error" as const,
      message: `missing permissions for role ${roleId} (403 50013): the bot needs Manage Roles and its highest role must sit above role ${roleId}; move the bot's role above it in Server Settings → Roles`,
      data: { guildId: "1300000000000000001", scope: "role", roleId },
    });
    await log.append(block("1300000000000000002"));
    await log.append(block("1300000000000000003"));
    await log.append({
      kind: "role.recovered",
      level: "info",
      message: "role 1300000000000000003 works again; 0 member(s) re-marked",
      data: { scope: "role", roleId: "1300000000000000003" },
    });
    await log.append({
      kind: "role.permanent_error",
      level: "error",
      message: "member 7: Discord refused add_role for user 1400000000000000007 (403 50013)",
      memberId: "7",
      discordUserId: "1400000000000000007",
      data: { scope: "member", roleId: null },
    });
    const page = await (await app.request("/admin/role-sync", { headers: { cookie: login.cookie } })).text();
    const blocks = /<ul id="blocks"[^>]*>(.*?)<\/ul>/.exec(page)?.[1] ?? "";
    expect(blocks).toContain("Blocked: role 1300000000000000002");
    expect(blocks).toContain("move the bot&#39;s role above it in Server Settings → Roles");
    expect(blocks).not.toContain("1300000000000000003");
    expect(page).toMatch(
      /id="member-errors"><li><a href="\/admin\/role-sync\?member=7#member-detail">member 7<\/a>[^<]*: member 7: Discord refused add_role/,
    );
    expect(page).toMatch(
      /id="last-activity"><strong>Last:<\/strong> [^<]+<code>role.permanent_error<\/code>: member 7/,
    );
    const member = await (
      await app.request("/admin/role-sync?member=7", { headers: { cookie: login.cookie } })
    ).text();
    expect(member).toMatch(
      /id="member-last"><strong>Last result<\/strong> \([^)]+\): member 7: Discord refused/,
    );
  });

  it("shows the worker's last round from store.taskStatus, and says when none was recorded or it is old", async () => {
    const app = createServerApp(ctx);
    const login = await signIn(app);
    const get = async () =>
      (await app.request("/admin/role-sync", { headers: { cookie: login.cookie } })).text();
    expect(await get()).toMatch(/id="task-round">No worker has recorded a role-sync round yet/);
    await ctx.store.taskStatus.record({
      task: "role-sync",
      worker: "worker-7",
      summary: {
        mode: "bulk",
        processed: 50,
        added: 3,
        removed: 1,
        notInGuild: 2,
        transientErrors: 1,
        permanentErrors: 0,
        discordCalls: 12,
      },
    });
    const page = await get();
    expect(page).toMatch(
      /id="task-round"><strong>Last round:<\/strong> [^(]+\(\d+ s ago\) by worker <code>worker-7<\/code>: 50 members checked \(guild listed in bulk\), 3 roles added, 1 removed, 2 not in the guild, 1 failed, 12 Discord calls\.<\/p>/,
    );
  });
});

describe("lastRoundView", () => {
  it("flags a round older than three minutes: the worker may be stopped or idle", () => {
    const at = new Date("2026-12-03T10:00:00.000Z");
    const round = { worker: "w", at, summary: { processed: 1 } };
    expect(String(lastRoundView(round, new Date("2026-12-03T10:02:00.000Z")))).not.toContain(
      "No round since then",
    );
    const old = String(lastRoundView(round, new Date("2026-12-03T10:04:00.000Z")));
    expect(old).toContain('class="check-fail"');
    expect(old).toContain("(4 min ago)");
    expect(old).toContain("No round since then");
  });
});
