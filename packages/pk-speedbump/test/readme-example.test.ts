import { afterEach, beforeEach, expect, it, vi } from "vitest";
import { createMemorySpeedbumpStore, createSpeedbump, PLURALKIT_APPLICATION_ID } from "../src/index";
import type { Scheduler } from "../src/ports";

beforeEach(() => {
  vi.useFakeTimers({ now: Date.parse("2026-11-23T12:00:00Z") });
});
afterEach(() => {
  vi.useRealTimers();
});

/** The README's scheduler, on `setTimeout` (faked here by vitest). */
const readmeScheduler: Scheduler = {
  setTimer: (at, fn) => setTimeout(fn, Math.max(0, at.getTime() - Date.now())),
  clear: (timer) => clearTimeout(timer as NodeJS.Timeout),
};

/** The README's example, with the scheduler it runs on as a parameter. */
async function readmeExample(scheduler: Scheduler) {
  const relayed: string[] = [];
  const store = createMemorySpeedbumpStore();
  const speedbump = createSpeedbump({
    store,
    members: store,
    webhooks: { list: async () => [{ id: "300", applicationId: PLURALKIT_APPLICATION_ID }] },
    lookup: { getMessage: async () => null },
    clock: { now: () => new Date() },
    scheduler,
    deliver: async (delivery) => {
      if (delivery.type === "create") relayed.push(delivery.message.content);
    },
    options: { delayMs: 500 },
  });

  await speedbump.start();
  const place = { channelId: "200", parentId: null, guildId: "100" };
  await speedbump.handle({ type: "delete", id: "1", ...place });
  await speedbump.settled();
  await store.saveProxyUser({ userId: "42", seenAt: new Date() });
  const message = (id: string, content: string) => ({
    type: "create" as const,
    id,
    ...place,
    author: { id: "42", username: "alice", globalName: null, avatar: null, bot: false },
    webhookId: null,
    applicationId: null,
    content,
    embeds: [],
    attachments: [],
    timestamp: null,
  });
  const decision = await speedbump.handle(message("2", "a: hello"));
  await speedbump.handle({ type: "delete", id: "2", ...place });
  await speedbump.handle(message("3", "not proxied after all"));
  const heldAt = Date.now();
  let released = false;
  const releasing = speedbump.holdsReleased().then(() => {
    released = true;
  });
  void releasing;
  return { store, speedbump, decision, relayed, heldAt, isReleased: () => released };
}

it("the README example drops the deleted message and relays the kept one when its hold falls due on the scheduler's timer", async () => {
  const run = await readmeExample(readmeScheduler);
  expect(run.decision).toMatchObject({ action: "hold", reason: "proxy_user" });
  await vi.advanceTimersByTimeAsync(499);
  expect(run.relayed).toEqual([]);
  expect(run.isReleased()).toBe(false);
  await vi.advanceTimersByTimeAsync(1);
  expect(run.relayed).toEqual(["not proxied after all"]);
  expect(run.isReleased()).toBe(true);
  await run.speedbump.stop();
  expect(Date.now() - run.heldAt).toBe(500);
  expect(run.relayed).toEqual(["not proxied after all"]);
  expect(await run.store.listHolds()).toEqual([]);
});
