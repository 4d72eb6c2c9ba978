import { expect, it } from "vitest";
import { createMemorySpeedbumpStore, createSpeedbump, PLURALKIT_APPLICATION_ID } from "../src/index";

it("the README example runs on real timers and drops the deleted message", async () => {
  const relayed: string[] = [];
  const store = createMemorySpeedbumpStore();
  const speedbump = createSpeedbump({
    store,
    members: store,
    webhooks: { list: async () => [{ id: "300", applicationId: PLURALKIT_APPLICATION_ID }] },
    lookup: { getMessage: async () => null },
    clock: { now: () => new Date() },
    scheduler: {
      setTimer: (at, fn) => setTimeout(fn, Math.max(0, at.getTime() - Date.now())),
      clear: (timer) => clearTimeout(timer as NodeJS.Timeout),
    },
    deliver: async (delivery) => {
      if (delivery.type === "create") relayed.push(delivery.message.content);
    },
    options: { delayMs: 4_000 },
  });

  await speedbump.start();
  const place = { channelId: "200", parentId: null, guildId: "100" };
  await speedbump.handle({ type: "delete", id: "1", ...place });
  await speedbump.settled();
  await store.saveProxyUser({ userId: "42", seenAt: new Date() });
  const decision = await speedbump.handle({
    type: "create",
    id: "2",
    ...place,
    author: { id: "42", username: "alice", globalName: null, avatar: null, bot: false },
    webhookId: null,
    applicationId: null,
    content: "a: hello",
    embeds: [],
    attachments: [],
    timestamp: null,
  });
  expect(decision).toMatchObject({ action: "hold", reason: "proxy_user" });
  await speedbump.handle({ type: "delete", id: "2", ...place });
  await speedbump.stop();
  expect(relayed).toEqual([]);
  expect(await store.listHolds()).toEqual([]);
});
