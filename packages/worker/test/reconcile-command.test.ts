import type { RunOptions, RunSummary } from "@guildkit/role-reconciler";
import { describe, expect, it } from "vitest";
import { formatPlan, formatSummary, progressLine, runReconcileCommand } from "../src/reconcile-command";

const SUMMARY: RunSummary = {
  mode: "bulk",
  decision: null,
  due: 10,
  claimed: 10,
  processed: 10,
  released: 0,
  leaseLost: 0,
  kicked: 0,
  inGrace: 0,
  added: 2,
  removed: 1,
  notInGuild: 1,
  transientErrors: 0,
  permanentErrors: 0,
  discordCalls: 4,
  listedPages: 1,
  blockedUntil: null,
};

describe("guildkit reconcile output", () => {
  it("the progress shows members checked and role changes applied, with the ETA of the slower of the two", () => {
    const line = (p: Partial<Parameters<typeof progressLine>[0]>) =>
      progressLine({ checked: 0, members: 10, changes: 0, plannedChanges: 0, elapsedMs: 0, width: 10, ...p });
    expect(line({ checked: 250, members: 1000, changes: 10, plannedChanges: 40, elapsedMs: 10_000 })).toBe(
      "[###-------]  25% members 250/1000  role changes 10/40  ETA 0:30",
    );
    expect(line({})).toBe("[----------]   0% members 0/10  role changes 0/0  ETA ?");
    // Checks are quick, role changes are bound by Discord's bucket: the ETA follows the changes.
    expect(
      line({ checked: 900, members: 1000, changes: 10, plannedChanges: 100, elapsedMs: 60_000 }),
    ).toMatch(/ETA 9:00$/);
    // Never past the plan, whatever is re-claimed.
    expect(line({ checked: 1552, members: 1000, changes: 5, plannedChanges: 5, elapsedMs: 1000 })).toBe(
      "[##########] 100% members 1000/1000  role changes 5/5  ETA 0:00",
    );
  });

  it("the dry-run plan lists gains, losses and members not in the guild", () => {
    const text = formatPlan({
      generatedAt: new Date(0),
      mode: "bulk",
      checked: 3,
      graces: [],
      kicks: [],
      leftAlone: [],
      gains: [{ discordUserId: "11", roleId: "9", memberIds: ["1"], reason: "guildkit: member 1 entitled" }],
      losses: [
        { discordUserId: "12", roleId: "9", memberIds: ["2"], reason: "guildkit: member 2 was deleted" },
      ],
      notInGuild: [{ memberId: "3", discordUserId: "13" }],
      errors: [],
      discordCalls: 1,
    });
    expect(text).toContain("+ role 9 to 11 (member 1): guildkit: member 1 entitled");
    expect(text).toContain("- role 9 from 12 (member 2): guildkit: member 2 was deleted");
    expect(text).toContain("? member 3 (13)");
  });

  it("the summary counts changes, failures and Discord calls", () => {
    const text = formatSummary(SUMMARY, 61_000);
    expect(text).toContain("Reconciled 10 member(s) in 1:01 (bulk)");
    expect(text).toContain("roles added 2, removed 1");
    expect(text).toContain("Discord calls 4 (1 member-list page(s))");
  });

  it("plans first, counts a member re-claimed after a release once, and its totals never grow past the plan", async () => {
    const queue = { scheduleFullPass: async () => 3, countDue: async () => 3 };
    let clock = 0;
    const sync = {
      loadSettings: async () => ({ status: "ready", settings: {}, gateway: {} }),
      reconciler: {
        plan: async () => ({
          generatedAt: new Date(0),
          mode: "bulk",
          checked: 3,
          gains: [{ discordUserId: "11", roleId: "9", memberIds: ["1"], reason: "r" }],
          losses: [],
          notInGuild: [],
          errors: [],
          discordCalls: 1,
        }),
        drain: async (run: RunOptions) => {
          const results = [
            { memberId: "1", state: "released", added: 0, removed: 0, error: null },
            { memberId: "1", state: "ok", added: 1, removed: 0, error: null },
            { memberId: "2", state: "ok", added: 0, removed: 0, error: null },
            { memberId: "3", state: "ok", added: 0, removed: 0, error: null },
          ] as const;
          for (const result of results) {
            clock += 1_000;
            run.onMember?.({ ...result });
          }
          return { ...SUMMARY, processed: 3 };
        },
      },
    } as unknown as Parameters<typeof runReconcileCommand>[0];
    let out = "";
    const code = await runReconcileCommand(sync, queue, {
      dryRun: false,
      out: { write: (t) => (out += t), isTTY: true },
      err: { write: () => {} },
      now: () => clock,
    });
    expect(code).toBe(0);
    expect(out).toMatch(/^plan: 3 member\(s\) to check, 1 role change\(s\) to apply$/m);
    expect(out).toMatch(/^3 member\(s\) to reconcile$/m);
    expect(out).toContain("members 1/3  role changes 1/1");
    expect(out).toContain("100% members 3/3  role changes 1/1  ETA 0:00");
    expect(out).not.toMatch(/members [4-9]\/3/);
  });
});
