import { InvalidTaskStatusError, TASK_STATUS_LIMITS } from "@guildkit/store-kysely";
import { expect, it } from "vitest";
import { defineStoreCases } from "../define";

/** A clock the cases move by hand. */
function manualClock(start: string) {
  let now = new Date(start);
  return {
    now: () => now,
    set: (iso: string) => {
      now = new Date(iso);
    },
  };
}

/** `store.taskStatus` (migration `016-task-status`): the latest round per worker task. */
export const taskStatusCases = defineStoreCases("task status", ({ fresh }) => {
  it("read is null before any round; record stores the round stamped with the store's clock", async () => {
    const clock = manualClock("2026-12-03T10:00:00.000Z");
    const { store } = await fresh({ clock });
    expect(await store.taskStatus.read("role-sync")).toBeNull();
    await store.taskStatus.record({ task: "role-sync", worker: "w1", summary: { processed: 3, added: 1 } });
    expect(await store.taskStatus.read("role-sync")).toEqual({
      task: "role-sync",
      worker: "w1",
      at: new Date("2026-12-03T10:00:00.000Z"),
      summary: { processed: 3, added: 1 },
    });
  });

  it("a later round replaces the row, whichever worker ran it; other tasks keep theirs", async () => {
    const clock = manualClock("2026-12-03T10:00:00.000Z");
    const { store } = await fresh({ clock });
    await store.taskStatus.record({ task: "role-sync", worker: "w1", summary: { processed: 3 } });
    await store.taskStatus.record({ task: "webhooks", worker: "w1", summary: { delivered: 9 } });
    clock.set("2026-12-03T10:00:05.000Z");
    await store.taskStatus.record({
      task: "role-sync",
      worker: "w2",
      summary: { processed: 0, nested: { a: [1] } },
    });
    expect(await store.taskStatus.list()).toEqual([
      {
        task: "role-sync",
        worker: "w2",
        at: new Date("2026-12-03T10:00:05.000Z"),
        summary: { processed: 0, nested: { a: [1] } },
      },
      { task: "webhooks", worker: "w1", at: new Date("2026-12-03T10:00:00.000Z"), summary: { delivered: 9 } },
    ]);
  });

  it("refuses an empty or long task name, a non-object or oversized summary, and changes nothing", async () => {
    const { store } = await fresh();
    await store.taskStatus.record({ task: "role-sync", worker: "w1", summary: { processed: 1 } });
    const bad = [
      { task: "", worker: "w1", summary: {} },
      { task: "x".repeat(TASK_STATUS_LIMITS.taskLength + 1), worker: "w1", summary: {} },
      { task: "role-sync", worker: "", summary: {} },
      { task: "role-sync", worker: "w1", summary: [1, 2] as unknown as Record<string, unknown> },
      { task: "role-sync", worker: "w1", summary: { big: "x".repeat(TASK_STATUS_LIMITS.summaryBytes) } },
    ];
    for (const input of bad) {
      await expect(store.taskStatus.record(input)).rejects.toBeInstanceOf(InvalidTaskStatusError);
    }
    expect((await store.taskStatus.list()).map((s) => s.summary)).toEqual([{ processed: 1 }]);
  });
});
