import { createMemoryEventLog } from "@guildkit/core/testing";
import { describe, expect, it } from "vitest";
import { createStore, discordError, FakeGuild, FakeTime, GUILD, ROLE_PAID, uid } from "../test/fakes";
import { defaultRules } from "./entitlement";
import { fullPass, fullPassNeedsAttention } from "./full-pass";
import { createRoleReconciler } from "./reconcile";

function setup() {
  const time = new FakeTime();
  const store = createStore(time);
  const guild = new FakeGuild();
  const reconciler = createRoleReconciler({
    queue: store.queue,
    ledger: store.ledger,
    members: store.linkedMembers,
    profiles: store.profiles,
    eventLog: createMemoryEventLog(),
    clock: time.clock,
    scheduler: time.scheduler,
    owner: "cli",
    random: () => 0,
  });
  const settings = { guildId: GUILD, rules: defaultRules([ROLE_PAID]), syncIntervalMs: 24 * 3_600_000 };
  // per_member: each member read afresh (a bulk pass would reuse the listing of the last hour)
  const pass = (onStart?: (total: number) => void, onMember?: () => void) =>
    fullPass(
      { reconciler, queue: store.queue, clock: time.clock },
      { settings, gateway: guild.gateway, onStart, onMember, mode: "per_member" },
    );
  return { time, store, guild, pass };
}

describe("fullPass", () => {
  it("re-checks every linked member now, even those checked a moment ago, and reports the total first", async () => {
    const t = setup();
    for (let n = 1; n <= 3; n += 1) {
      t.guild.add(uid(n), { roles: [ROLE_PAID] });
      t.store.insertMember({ id: String(n), discordUserId: uid(n), attrs: { payment_status: "x" } });
    }
    await t.pass();
    t.time.advance(1_000);
    // Drift made in Discord since: a full pass finds it although nobody is due.
    t.guild.members.get(uid(2))!.roles = [];
    const events: string[] = [];
    const { total, summary } = await t.pass(
      (n) => events.push(`start:${n}`),
      () => events.push("member"),
    );
    expect(total).toBe(3);
    expect(events).toEqual(["start:3", "member", "member", "member"]);
    expect(summary).toMatchObject({ processed: 3, added: 1 });
    expect(t.guild.roles(uid(2))).toEqual([ROLE_PAID]);
    expect(fullPassNeedsAttention(summary)).toBe(false);
  });

  it("leaves a member in backoff to its retry time, and needs attention after a permanent failure", async () => {
    const t = setup();
    t.guild.add(uid(1));
    t.guild.add(uid(2));
    t.store.insertMember({ id: "1", discordUserId: uid(1), attrs: { payment_status: "x" } });
    t.store.insertMember({ id: "2", discordUserId: uid(2), attrs: { payment_status: "x" } });
    t.guild.nextErrors.set("addRole", [discordError(503, null)]);
    await t.pass();
    expect(t.store.row("1")).toMatchObject({ state: "retrying" });
    t.guild.members.get(uid(2))!.roles = [];
    t.guild.nextErrors.set("addRole", [discordError(400, 50035, { message: "Invalid Form Body" })]);
    const { total, summary } = await t.pass();
    expect(total).toBe(1);
    expect(summary.permanentErrors).toBe(1);
    expect(fullPassNeedsAttention(summary)).toBe(true);
    expect(t.store.row("1")).toMatchObject({ state: "retrying" });
  });
});
