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
  it("the progress bar shows the share done, the rate and the ETA", () => {
    expect(progressLine({ done: 250, total: 1000, elapsedMs: 10_000, width: 10 })).toBe(
      "[###-------]  25% 250/1000  25.0/s  ETA 0:30",
    );
    expect(progressLine({ done: 0, total: 10, elapsedMs: 0, width: 4 })).toBe(
      "[----]   0% 0/10  0.0/s  ETA ?",
    );
    expect(progressLine({ done: 3600, total: 7200, elapsedMs: 3_600_000, width: 2 })).toMatch(/ETA 1:00:00$/);
  });

  it("the dry-run plan lists gains, losses and members not in the guild", () => {
    const text = formatPlan({
      generatedAt: new Date(0),
      mode: "bulk",
      checked: 3,
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

  it("the progress total counts every member due once marked, not only the newly marked ones", async () => {
    // 1 member newly marked by the full pass; 2 were due already (a change, a pending revocation).
    const queue = { scheduleFullPass: async () => 1, countDue: async () => 3 };
    let clock = 0;
    const sync = {
      loadSettings: async () => ({ status: "ready", settings: {}, gateway: {} }),
      reconciler: {
        drain: async (run: RunOptions) => {
          for (const memberId of ["1", "2", "3"]) {
            clock += 1_000;
            run.onMember?.({ memberId, state: "ok", added: 0, removed: 0, error: null });
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
    expect(out).toMatch(/^3 member\(s\) to reconcile$/m);
    expect(out).toContain("1/3  1.0/s  ETA 0:02");
    expect(out).toContain("100% 3/3  1.0/s  ETA 0:00");
  });
});
