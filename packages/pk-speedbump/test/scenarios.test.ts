import { describe, expect, it, vi } from "vitest";
import { PLURALKIT_APPLICATION_ID } from "../src/channel-state";
import type { CreateDelivery } from "../src/delivery";
import { ProxyLookupTimeoutError } from "../src/errors";
import type { PkMessage } from "../src/ports";
import {
  ALICE,
  BOB,
  CHANNEL,
  createGate,
  creates,
  del,
  enableSpeedbump,
  FakeApiError,
  GUILD,
  nextId,
  OTHER_WEBHOOK,
  PK_WEBHOOK,
  PK_WEBHOOK_2,
  QUIET_CHANNEL,
  setup,
  THREAD,
  update,
  userMessage,
  webhookMessage,
} from "./harness";

const HOUR = 3_600_000;

describe("channels without a speedbump", () => {
  it("deliver every message at once, with no timer and no delay", async () => {
    const h = setup();
    const decision = await h.send(userMessage({ channelId: QUIET_CHANNEL }));
    expect(decision).toMatchObject({ action: "deliver", reason: "speedbump_off" });
    expect(h.delivered).toHaveLength(1);
    expect((h.delivered[0] as CreateDelivery).heldMs).toBe(0);
    expect(h.time.pendingTimers()).toBe(0);
    expect(h.webhooks.list).not.toHaveBeenCalled();
  });

  it("re-read webhooks after a delete at most once per refresh interval", async () => {
    const h = setup();
    await h.send(del(nextId(), QUIET_CHANNEL));
    await h.send(del(nextId(), QUIET_CHANNEL));
    expect(h.webhooks.list).toHaveBeenCalledTimes(1);
    await h.advance(2 * HOUR - 1);
    await h.send(del(nextId(), QUIET_CHANNEL));
    expect(h.webhooks.list).toHaveBeenCalledTimes(1);
    await h.advance(1);
    await h.send(del(nextId(), QUIET_CHANNEL));
    expect(h.webhooks.list).toHaveBeenCalledTimes(2);
  });

  it("deliver a channel's first message without reading the store", async () => {
    const h = setup();
    await h.speedbump.start();
    const getChannel = vi.fn(() => new Promise<never>(() => {}));
    h.store.getChannel = getChannel;
    const decision = await h.speedbump.handle(userMessage({ channelId: QUIET_CHANNEL }));
    expect(decision).toMatchObject({ action: "deliver", reason: "speedbump_off" });
    expect(h.delivered).toHaveLength(1);
    expect(getChannel).not.toHaveBeenCalled();
  });

  it("do not wait for the webhook check's store write: the next message goes out while it is pending", async () => {
    const h = setup();
    await h.store.saveProxyUser({ userId: ALICE, seenAt: new Date() });
    h.webhooksByChannel.set(CHANNEL, [{ id: PK_WEBHOOK, applicationId: PLURALKIT_APPLICATION_ID }]);
    const write = createGate();
    let writing = createGate();
    h.store.saveChannel = vi.fn(async () => {
      writing.open();
      await write.wait;
    });
    await h.speedbump.handle(del(nextId(), QUIET_CHANNEL));
    await writing.wait;
    expect(await h.speedbump.handle(userMessage({ channelId: QUIET_CHANNEL }))).toMatchObject({
      action: "deliver",
    });
    // A check that finds PluralKit applies at once, before its write lands.
    writing = createGate();
    await h.speedbump.handle(del(nextId()));
    await writing.wait;
    expect(await h.speedbump.handle(userMessage({}))).toMatchObject({ action: "hold", reason: "proxy_user" });
    write.open();
    await h.speedbump.settled();
    expect(h.store.saveChannel).toHaveBeenCalledTimes(2);
  });

  it("honour a configured refresh interval", async () => {
    const h = setup({ refreshIntervalMs: 60_000 });
    await h.send(del(nextId(), QUIET_CHANNEL));
    await h.advance(60_000);
    await h.send(del(nextId(), QUIET_CHANNEL));
    expect(h.webhooks.list).toHaveBeenCalledTimes(2);
  });
});

describe("turning the speedbump on and off", () => {
  it("a PluralKit webhook found after a delete turns it on; none turns it off", async () => {
    const h = setup();
    await enableSpeedbump(h);
    expect(await h.store.getChannel({ channelId: CHANNEL })).toMatchObject({
      webhookId: PK_WEBHOOK,
      proxyApplicationId: PLURALKIT_APPLICATION_ID,
      checkedAt: new Date(h.time.nowMs()),
    });
    expect(h.logs.map((l) => l.kind)).toContain("speedbump.on");

    h.webhooksByChannel.set(CHANNEL, [{ id: OTHER_WEBHOOK, applicationId: "999" }]);
    await h.advance(2 * HOUR);
    await h.send(del(nextId()));
    expect(await h.store.getChannel({ channelId: CHANNEL })).toMatchObject({ webhookId: null });
    expect(h.logs.map((l) => l.kind)).toContain("speedbump.off");
    await h.speedbump.handle({ ...userMessage({}) });
    // Bob is not a proxy user and the speedbump is off anyway: no hold.
    expect(await h.send(userMessage({ author: BOB }))).toMatchObject({ reason: "speedbump_off" });
  });

  it("recognises a configured proxy application id", async () => {
    const h = setup({ proxyApplicationIds: ["123456"] });
    h.webhooksByChannel.set(CHANNEL, [{ id: PK_WEBHOOK, applicationId: PLURALKIT_APPLICATION_ID }]);
    await h.send(del(nextId()));
    expect(await h.store.getChannel({ channelId: CHANNEL })).toMatchObject({ webhookId: null });
    h.webhooksByChannel.set(CHANNEL, [{ id: PK_WEBHOOK, applicationId: "123456" }]);
    await h.advance(2 * HOUR);
    await h.send(del(nextId()));
    expect(await h.store.getChannel({ channelId: CHANNEL })).toMatchObject({ webhookId: PK_WEBHOOK });
  });

  it("a failed webhook read keeps the state and is retried after the retry delay, not on every delete", async () => {
    const h = setup({ webhookRetryMs: 60_000 });
    (h.webhooks as unknown as { failure: { error: Error | null } }).failure.error = new FakeApiError(
      503,
      true,
    );
    await h.send(del(nextId()));
    await h.send(del(nextId()));
    expect(h.webhooks.list).toHaveBeenCalledTimes(1);
    expect(h.logs.map((l) => l.kind)).toContain("speedbump.check_failed");
    (h.webhooks as unknown as { failure: { error: Error | null } }).failure.error = null;
    h.webhooksByChannel.set(CHANNEL, [{ id: PK_WEBHOOK, applicationId: PLURALKIT_APPLICATION_ID }]);
    await h.advance(60_000);
    await h.send(del(nextId()));
    expect(h.webhooks.list).toHaveBeenCalledTimes(2);
    expect(await h.store.getChannel({ channelId: CHANNEL })).toMatchObject({ webhookId: PK_WEBHOOK });
  });

  it("a permanent webhook-read failure (missing permission) waits a full refresh interval", async () => {
    const h = setup();
    (h.webhooks as unknown as { failure: { error: Error | null } }).failure.error = new FakeApiError(
      403,
      false,
    );
    await h.send(del(nextId()));
    await h.advance(HOUR);
    await h.send(del(nextId()));
    expect(h.webhooks.list).toHaveBeenCalledTimes(1);
    await h.advance(HOUR);
    await h.send(del(nextId()));
    expect(h.webhooks.list).toHaveBeenCalledTimes(2);
  });
});

describe("channels with a speedbump", () => {
  it("are loaded at start: after a restart the first message is held without a store read, however many quiet channels pass", async () => {
    const h = setup({ channelCacheSize: 2 });
    await enableSpeedbump(h);
    await h.store.saveProxyUser({ userId: ALICE, seenAt: new Date() });
    for (let i = 3; i < 8; i++) await h.send(del(nextId(), `20000000000000000${i}`));
    expect(await h.send(userMessage({}))).toMatchObject({ action: "hold", reason: "proxy_user" });

    await h.restart();
    h.store.getChannel = vi.fn(() => new Promise<never>(() => {}));
    await expect(h.speedbump.start()).resolves.toMatchObject({ activeChannels: 1 });
    expect(await h.speedbump.handle(userMessage({}))).toMatchObject({ action: "hold", reason: "proxy_user" });
    expect(h.store.getChannel).not.toHaveBeenCalled();
  });

  it("a quiet channel's stored last check is read in the background, so a restart does not re-read its webhooks", async () => {
    const h = setup();
    await h.send(del(nextId(), QUIET_CHANNEL));
    expect(h.webhooks.list).toHaveBeenCalledTimes(1);
    await h.restart();
    await h.send(del(nextId(), QUIET_CHANNEL));
    expect(h.webhooks.list).toHaveBeenCalledTimes(1);
    await h.advance(2 * HOUR);
    await h.send(del(nextId(), QUIET_CHANNEL));
    expect(h.webhooks.list).toHaveBeenCalledTimes(2);
  });
});

describe("the send–delete–send dance", () => {
  it("is suppressed: the original is held and dropped, the proxied message delivered once as the member", async () => {
    const h = setup();
    await enableSpeedbump(h);
    await h.store.saveProxyUser({ userId: ALICE, seenAt: new Date() });
    const original = userMessage({ content: "a: hello" });
    expect(await h.send(original)).toMatchObject({ action: "hold", reason: "proxy_user" });
    expect(h.delivered).toHaveLength(0);

    // PluralKit re-posts through its webhook, then deletes the original.
    const proxiedId = nextId();
    h.pk.proxied({ id: proxiedId, original: original.id, sender: ALICE });
    expect(await h.send(webhookMessage({ id: proxiedId, content: "hello" }))).toMatchObject({
      action: "deliver",
      reason: "proxy_webhook",
    });
    expect(await h.send(del(original.id))).toMatchObject({ action: "drop" });
    await h.advance(10_000);

    expect(h.delivered).toHaveLength(1);
    const delivered = h.delivered[0] as CreateDelivery;
    expect(delivered.message.id).toBe(proxiedId);
    expect(delivered.heldMs).toBe(0);
    expect(delivered.author).toMatchObject({
      kind: "pluralkit",
      identity: { key: "pk:uuid-abcde", handle: "_pk_abcde", displayName: "Alice [she/her]", resolved: true },
    });
    expect(await h.store.listHolds()).toEqual([]);
  });

  it("is suppressed when the delete comes before the webhook message", async () => {
    const h = setup();
    await enableSpeedbump(h);
    await h.store.saveProxyUser({ userId: ALICE, seenAt: new Date() });
    const original = userMessage({ content: "a: hi" });
    await h.send(original);
    await h.advance(300);
    expect(await h.send(del(original.id))).toMatchObject({ action: "drop", reason: "deleted_during_hold" });
    const proxiedId = nextId();
    h.pk.proxied({ id: proxiedId, original: original.id, sender: ALICE });
    await h.send(webhookMessage({ id: proxiedId }));
    await h.advance(10_000);
    expect(h.delivered.map((d) => d.type)).toEqual(["create"]);
    expect((h.delivered[0] as CreateDelivery).message.id).toBe(proxiedId);
  });

  it("holds exactly the configured delay, and a message that stays is delivered after it", async () => {
    const h = setup({ delayMs: 2_500 });
    await enableSpeedbump(h);
    await h.store.saveProxyUser({ userId: ALICE, seenAt: new Date() });
    const message = userMessage({ content: "not proxied" });
    await h.send(message);
    await h.advance(2_499);
    expect(h.delivered).toHaveLength(0);
    await h.advance(1);
    expect(h.delivered).toHaveLength(1);
    expect(h.delivered[0]).toMatchObject({ type: "create", heldMs: 2_500, author: { kind: "user" } });
  });
});

describe("pk;edit", () => {
  it("needs no special path: the command is held and dropped, the webhook edit is an update of the proxied message", async () => {
    const h = setup();
    await enableSpeedbump(h);
    const proxiedId = nextId();
    h.pk.proxied({ id: proxiedId, original: nextId(), sender: ALICE });
    await h.send(webhookMessage({ id: proxiedId, content: "helo" }));
    // Alice is now known to proxy.
    const command = userMessage({ content: "pk;edit hello" });
    expect(await h.send(command)).toMatchObject({ action: "hold", reason: "proxy_user" });
    await h.advance(200);
    await h.send(update(proxiedId, { content: "hello", webhookId: PK_WEBHOOK }));
    await h.send(del(command.id));
    await h.advance(10_000);
    expect(h.delivered.map((d) => d.type)).toEqual(["create", "update"]);
    expect(h.delivered[1]).toMatchObject({ type: "update", update: { id: proxiedId, content: "hello" } });
    expect(JSON.stringify(h.delivered)).not.toContain("pk;edit");
  });

  it("holds a pk; command even from a user not yet known to proxy", async () => {
    const h = setup();
    await enableSpeedbump(h);
    const command = userMessage({ author: BOB, content: "pk;edit fixed" });
    expect(await h.send(command)).toMatchObject({ action: "hold", reason: "command" });
    await h.send(del(command.id));
    await h.advance(10_000);
    expect(h.delivered).toHaveLength(0);
  });
});

describe("updates during the hold", () => {
  it("replace the held content and the message is delivered once, with the latest content", async () => {
    const h = setup();
    await enableSpeedbump(h);
    await h.store.saveProxyUser({ userId: ALICE, seenAt: new Date() });
    const message = userMessage({ content: "see https://example.org" });
    await h.send(message);
    await h.advance(1_000);
    const embed = { type: "link", url: "https://example.org" };
    expect(await h.send(update(message.id, { embeds: [embed] }))).toMatchObject({
      action: "hold",
      reason: "updated_during_hold",
    });
    await h.advance(1_000);
    await h.send(update(message.id, { content: "see https://example.org (edited)" }));
    // The persisted hold carries the latest content too.
    expect((await h.store.listHolds())[0]?.message.content).toBe("see https://example.org (edited)");
    await h.advance(10_000);
    expect(h.delivered).toHaveLength(1);
    expect(h.delivered[0]).toMatchObject({
      type: "create",
      heldMs: 4_000,
      message: { id: message.id, content: "see https://example.org (edited)", embeds: [embed] },
    });
  });

  it("an update then a delete during the hold delivers nothing", async () => {
    const h = setup();
    await enableSpeedbump(h);
    await h.store.saveProxyUser({ userId: ALICE, seenAt: new Date() });
    const message = userMessage({});
    await h.send(message);
    await h.send(update(message.id, { content: "x" }));
    await h.send(del(message.id));
    await h.send(update(message.id, { content: "late" }));
    await h.advance(10_000);
    expect(h.delivered).toHaveLength(0);
  });

  it("an update waiting in the channel's line when the hold falls due is applied before the create goes out", async () => {
    const h = setup();
    await enableSpeedbump(h);
    await h.store.saveProxyUser({ userId: ALICE, seenAt: new Date() });
    const message = userMessage({ content: "v1" });
    await h.send(message);
    await h.advance(3_000);
    // A slow PluralKit lookup keeps the channel busy while the update arrives and the hold falls due.
    let open: () => void = () => {};
    const gate = new Promise<void>((resolve) => {
      open = resolve;
    });
    const lookup = h.pk.lookup.getMessage.getMockImplementation()!;
    h.pk.lookup.getMessage.mockImplementationOnce(async (opts) => {
      await gate;
      return lookup(opts);
    });
    const proxied = h.speedbump.handle(webhookMessage({}));
    const edited = h.speedbump.handle(update(message.id, { content: "v2" }));
    await h.time.advance(1_000);
    open();
    await Promise.all([proxied, edited]);
    await h.speedbump.settled();
    const userCreates = creates(h).filter((d) => (d as CreateDelivery).message.id === message.id);
    expect(userCreates).toHaveLength(1);
    expect((userCreates[0] as CreateDelivery).message.content).toBe("v2");
    expect(h.delivered.filter((d) => d.type === "update")).toHaveLength(0);
  });

  it("an update after delivery passes through as an edit", async () => {
    const h = setup();
    await enableSpeedbump(h);
    await h.store.saveProxyUser({ userId: ALICE, seenAt: new Date() });
    const message = userMessage({ content: "v1" });
    await h.send(message);
    await h.advance(4_000);
    await h.send(update(message.id, { content: "v2" }));
    expect(h.delivered.map((d) => d.type)).toEqual(["create", "update"]);
  });
});

describe("an event naming another parent than its message's create", () => {
  it("an update of a hold being delivered waits in the hold's line and then passes through as an edit", async () => {
    const h = setup();
    await enableSpeedbump(h, THREAD);
    await h.store.saveProxyUser({ userId: ALICE, seenAt: new Date() });
    // The create came before the relay knew the thread's parent, the update after.
    const message = userMessage({ channelId: THREAD, content: "v1" });
    await h.send(message);
    const sink = createGate();
    h.sink.gate = sink.wait;
    await h.time.advance(4_000);
    const edited = h.speedbump.handle(
      update(message.id, { channelId: THREAD, parentId: CHANNEL, content: "v2" }),
    );
    h.sink.gate = null;
    sink.open();
    expect(await edited).toMatchObject({ action: "deliver", reason: "update" });
    await h.speedbump.settled();
    expect(h.delivered).toMatchObject([
      { type: "create", message: { id: message.id, content: "v1" } },
      { type: "update", update: { id: message.id, content: "v2" } },
    ]);
    expect(await h.store.listHolds()).toEqual([]);
  });

  it("an update waits for its create still queued in another line", async () => {
    const h = setup();
    const lookup = createGate();
    const proxied = webhookMessage({ channelId: THREAD });
    h.pk.lookup.getMessage.mockImplementationOnce(async () => {
      await lookup.wait;
      return null;
    });
    const first = h.speedbump.handle(proxied);
    const message = userMessage({ channelId: THREAD, content: "v1" });
    const created = h.speedbump.handle(message);
    const edited = h.speedbump.handle(
      update(message.id, { channelId: THREAD, parentId: CHANNEL, content: "v2" }),
    );
    lookup.open();
    await Promise.all([first, created, edited]);
    expect(h.delivered.map((d) => (d.type === "update" ? `update ${d.update.content}` : d.type))).toEqual([
      "create",
      "create",
      "update v2",
    ]);
  });

  it("a delete of a held message in another line drops the hold", async () => {
    const h = setup();
    await enableSpeedbump(h, THREAD);
    await h.store.saveProxyUser({ userId: ALICE, seenAt: new Date() });
    const message = userMessage({ channelId: THREAD });
    await h.send(message);
    expect(await h.send(del(message.id, THREAD, CHANNEL))).toMatchObject({
      action: "drop",
      reason: "deleted_during_hold",
    });
    await h.advance(10_000);
    expect(h.delivered).toHaveLength(0);
  });
});

describe("deletes after delivery", () => {
  it("pass through to the sink, for held and unheld messages alike", async () => {
    const h = setup();
    await enableSpeedbump(h);
    await h.store.saveProxyUser({ userId: ALICE, seenAt: new Date() });
    const held = userMessage({});
    const plain = userMessage({ channelId: QUIET_CHANNEL });
    await h.send(held);
    await h.send(plain);
    await h.advance(4_000);
    expect(await h.send(del(held.id))).toMatchObject({ action: "deliver", reason: "delete" });
    expect(await h.send(del(plain.id, QUIET_CHANNEL))).toMatchObject({ action: "deliver", reason: "delete" });
    expect(h.delivered.map((d) => d.type)).toEqual(["create", "create", "delete", "delete"]);
  });

  it("a bulk delete drops the held messages and passes the others through", async () => {
    const h = setup();
    await enableSpeedbump(h);
    await h.store.saveProxyUser({ userId: ALICE, seenAt: new Date() });
    const held = userMessage({});
    const plain = userMessage({ author: BOB });
    await h.send(held);
    await h.send(plain);
    const decisions = await h.send({
      type: "delete_bulk",
      ids: [held.id, plain.id],
      channelId: CHANNEL,
      parentId: null,
      guildId: GUILD,
    });
    expect(decisions).toMatchObject([
      { action: "drop", reason: "deleted_during_hold" },
      { action: "deliver", reason: "delete" },
    ]);
    await h.advance(10_000);
    expect(h.delivered.map((d) => d.type)).toEqual(["create", "delete"]);
  });
});

describe("threads", () => {
  it("use the parent channel's speedbump and webhook check", async () => {
    const h = setup();
    await enableSpeedbump(h);
    await h.store.saveProxyUser({ userId: ALICE, seenAt: new Date() });
    const calls = h.webhooks.list.mock.calls.length;
    const inThread = userMessage({ channelId: THREAD, parentId: CHANNEL });
    expect(await h.send(inThread)).toMatchObject({ action: "hold" });
    const proxiedId = nextId();
    h.pk.proxied({ id: proxiedId, original: inThread.id, sender: ALICE, channel: THREAD });
    await h.send(webhookMessage({ id: proxiedId, channelId: THREAD, parentId: CHANNEL }));
    await h.send(del(inThread.id, THREAD, CHANNEL));
    await h.advance(10_000);
    expect(h.delivered).toHaveLength(1);
    expect(h.delivered[0]).toMatchObject({ type: "create", message: { id: proxiedId, channelId: THREAD } });
    // Within the refresh interval of the parent: no new read, and never one for the thread.
    expect(h.webhooks.list.mock.calls.length).toBe(calls);
    await h.advance(2 * HOUR);
    await h.send(del(nextId(), THREAD, CHANNEL));
    expect(h.webhooks.list.mock.calls.at(-1)?.[0]).toMatchObject({ channelId: CHANNEL });
  });

  it("a thread of a quiet channel gets no delay", async () => {
    const h = setup();
    await h.store.saveProxyUser({ userId: ALICE, seenAt: new Date() });
    expect(await h.send(userMessage({ channelId: THREAD, parentId: QUIET_CHANNEL }))).toMatchObject({
      action: "deliver",
    });
  });
});

describe("PluralKit's webhook replaced", () => {
  it("a message from a new PluralKit webhook is attributed to the member and becomes the channel's webhook", async () => {
    const h = setup();
    await enableSpeedbump(h);
    const proxiedId = nextId();
    h.pk.proxied({ id: proxiedId, original: nextId(), sender: ALICE });
    expect(await h.send(webhookMessage({ id: proxiedId, webhookId: PK_WEBHOOK_2 }))).toMatchObject({
      reason: "proxy_webhook",
    });
    expect(await h.store.getChannel({ channelId: CHANNEL })).toMatchObject({ webhookId: PK_WEBHOOK_2 });
    // Later messages from the new webhook are recognised even without an application id.
    const secondId = nextId();
    h.pk.proxied({ id: secondId, original: nextId(), sender: ALICE });
    await h.send(webhookMessage({ id: secondId, webhookId: PK_WEBHOOK_2, applicationId: null }));
    expect(creates(h).map((d) => (d as CreateDelivery).author.kind)).toEqual(["pluralkit", "pluralkit"]);
  });

  it("a webhook re-read picks up the replacement", async () => {
    const h = setup();
    await enableSpeedbump(h);
    h.webhooksByChannel.set(CHANNEL, [{ id: PK_WEBHOOK_2, applicationId: PLURALKIT_APPLICATION_ID }]);
    await h.advance(2 * HOUR);
    await h.send(del(nextId()));
    expect(await h.store.getChannel({ channelId: CHANNEL })).toMatchObject({ webhookId: PK_WEBHOOK_2 });
  });

  it("a PluralKit message in a channel not yet checked turns the speedbump on at once", async () => {
    const h = setup();
    const proxiedId = nextId();
    h.pk.proxied({ id: proxiedId, original: nextId(), sender: ALICE });
    await h.send(webhookMessage({ id: proxiedId }));
    expect(await h.send(userMessage({}))).toMatchObject({ action: "hold", reason: "proxy_user" });
  });

  it("another webhook's messages are delivered at once under the webhook's own name", async () => {
    const h = setup();
    await enableSpeedbump(h);
    await h.send(webhookMessage({ webhookId: OTHER_WEBHOOK, applicationId: null, username: "GitHub" }));
    expect(h.delivered[0]).toMatchObject({
      type: "create",
      heldMs: 0,
      author: { kind: "webhook", webhook: { webhookId: OTHER_WEBHOOK, username: "GitHub" } },
    });
    expect(h.pk.lookup.getMessage).not.toHaveBeenCalled();
  });
});

describe("PluralKit down", () => {
  it("falls back to the webhook's name and avatar, marks the identity unresolved, and fixes it later", async () => {
    const h = setup({ lookupCooldownMs: 30_000, unresolvedRetryMs: 60_000 });
    await enableSpeedbump(h);
    const proxiedId = nextId();
    h.pk.proxied({ id: proxiedId, original: nextId(), sender: BOB, memberId: "bbbbb", name: "Bea" });
    h.pk.state.down = true;
    await h.send(webhookMessage({ id: proxiedId, username: "Bea | sys" }));
    expect(h.delivered[0]).toMatchObject({
      type: "create",
      author: {
        kind: "pluralkit",
        identity: {
          key: null,
          displayName: "Bea | sys",
          avatarUrl: `https://cdn.discordapp.com/avatars/${PK_WEBHOOK}/abc123.png`,
          resolved: false,
        },
      },
    });
    expect(h.logs.map((l) => l.kind)).toContain("pluralkit.lookup_failed");

    // While cooling down, further PluralKit messages do not wait on the lookup.
    const calls = h.pk.lookup.getMessage.mock.calls.length;
    await h.send(webhookMessage({}));
    expect(h.pk.lookup.getMessage.mock.calls.length).toBe(calls);

    // The speedbump itself keeps working for known proxy users.
    await h.store.saveProxyUser({ userId: ALICE, seenAt: new Date() });
    expect(await h.send(userMessage({}))).toMatchObject({ action: "hold" });

    h.pk.state.down = false;
    await h.advance(120_000);
    expect(h.resolved.map((r) => r.messageId)).toContain(proxiedId);
    expect(h.resolved.find((r) => r.messageId === proxiedId)?.identity).toMatchObject({
      key: "pk:uuid-bbbbb",
      displayName: "Bea [she/her]",
      resolved: true,
    });
    // The sender is learnt: Bob's messages are now held.
    expect(await h.store.isProxyUser({ userId: BOB })).toBe(true);
    expect(await h.send(userMessage({ author: BOB }))).toMatchObject({
      action: "hold",
      reason: "proxy_user",
    });
    // The message PluralKit does not know resolves to its webhook profile for good: nothing is left.
    expect(await h.store.listUnresolved({ dueBefore: new Date("9999-12-31T00:00:00Z"), limit: 10 })).toEqual(
      [],
    );
  });

  it("a slow PluralKit delays a proxied message no longer than the lookup deadline; its identity is resolved later", async () => {
    const h = setup({ lookupTimeoutMs: 1_500, unresolvedRetryMs: 60_000 });
    await enableSpeedbump(h);
    const proxiedId = nextId();
    h.pk.proxied({ id: proxiedId, original: nextId(), sender: BOB, memberId: "bbbbb", name: "Bea" });
    const asked = createGate();
    let signal: AbortSignal | undefined;
    h.pk.lookup.getMessage.mockImplementationOnce(({ signal: given }) => {
      signal = given;
      asked.open();
      return new Promise<PkMessage | null>(() => {});
    });
    const decision = h.speedbump.handle(webhookMessage({ id: proxiedId, username: "Bea | sys" }));
    await asked.wait;
    await h.time.advance(1_499);
    expect(h.delivered).toHaveLength(0);
    await h.time.advance(1);
    await expect(decision).resolves.toMatchObject({ action: "deliver", reason: "proxy_webhook" });
    expect(signal?.aborted).toBe(true);
    expect(signal?.reason).toBeInstanceOf(ProxyLookupTimeoutError);
    expect(h.delivered[0]).toMatchObject({
      author: { kind: "pluralkit", identity: { key: null, displayName: "Bea | sys", resolved: false } },
    });
    await h.speedbump.settled();
    expect(await h.store.nextUnresolvedAt()).not.toBeNull();

    await h.advance(120_000);
    expect(h.resolved.find((r) => r.messageId === proxiedId)?.identity).toMatchObject({
      key: "pk:uuid-bbbbb",
      resolved: true,
    });
    expect(await h.store.nextUnresolvedAt()).toBeNull();
  });

  it("gives up an identity after the configured attempts", async () => {
    const h = setup({ unresolvedRetryMs: 1_000, unresolvedMaxAttempts: 3, lookupCooldownMs: 0 });
    h.pk.state.down = true;
    await h.send(webhookMessage({}));
    await h.advance(HOUR);
    expect(await h.store.listUnresolved({ dueBefore: new Date("9999-12-31T00:00:00Z"), limit: 10 })).toEqual(
      [],
    );
    expect(h.logs.map((l) => l.kind)).toContain("pluralkit.unresolved_gave_up");
  });

  it("a deleted member (null member) is delivered under the webhook profile, resolved", async () => {
    const h = setup();
    const proxiedId = nextId();
    const message = h.pk.proxied({ id: proxiedId, original: nextId(), sender: ALICE });
    message.member = null;
    await h.send(webhookMessage({ id: proxiedId, username: "Gone" }));
    expect(h.delivered[0]).toMatchObject({
      author: { kind: "pluralkit", identity: { key: null, displayName: "Gone", resolved: true } },
    });
    expect(await h.store.listUnresolved({ dueBefore: new Date("9999-12-31T00:00:00Z"), limit: 10 })).toEqual(
      [],
    );
  });
});

describe("a restart with holds pending", () => {
  it("recovers persisted holds: delivers each once at its due time, drops the ones PluralKit proxied meanwhile", async () => {
    const h = setup();
    await enableSpeedbump(h);
    await h.store.saveProxyUser({ userId: ALICE, seenAt: new Date() });
    const stays = userMessage({ content: "stays" });
    const proxiedLater = userMessage({ content: "a: proxied while down" });
    await h.send(stays);
    await h.advance(1_000);
    await h.send(proxiedLater);
    await h.send(update(stays.id, { content: "stays (edited)" }));
    expect(await h.store.listHolds()).toHaveLength(2);

    await h.restart();
    expect(h.time.pendingTimers()).toBe(0);
    // While down, PluralKit proxied the second message; its delete was never seen.
    h.pk.proxied({ id: nextId(), original: proxiedLater.id, sender: ALICE });

    await expect(h.speedbump.start()).resolves.toEqual({ recoveredHolds: 2, activeChannels: 1 });
    await h.advance(2_999);
    expect(h.delivered).toHaveLength(0);
    await h.advance(1);
    expect(h.delivered).toHaveLength(1);
    expect(h.delivered[0]).toMatchObject({
      type: "create",
      message: { id: stays.id, content: "stays (edited)" },
    });
    await h.advance(10_000);
    expect(h.delivered).toHaveLength(1);
    expect(await h.store.listHolds()).toEqual([]);
  });

  it("an identity left unresolved at shutdown is retried after the restart", async () => {
    const h = setup({ unresolvedRetryMs: 60_000 });
    const proxiedId = nextId();
    h.pk.proxied({ id: proxiedId, original: nextId(), sender: ALICE });
    h.pk.state.down = true;
    await h.send(webhookMessage({ id: proxiedId }));
    await h.restart();
    h.pk.state.down = false;
    await h.speedbump.start();
    expect(h.time.pendingTimers()).toBe(1);
    await h.advance(60_000);
    expect(h.resolved.map((r) => r.messageId)).toEqual([proxiedId]);
  });

  it("a hold that fell due while down is delivered right after start", async () => {
    const h = setup();
    await enableSpeedbump(h);
    await h.store.saveProxyUser({ userId: ALICE, seenAt: new Date() });
    const message = userMessage({});
    await h.send(message);
    await h.restart();
    await h.time.advance(60_000);
    await h.speedbump.start();
    await h.advance(0);
    expect(h.delivered).toMatchObject([{ type: "create", message: { id: message.id }, heldMs: 60_000 }]);
  });

  it("a delete after the restart still drops a recovered hold", async () => {
    const h = setup();
    await enableSpeedbump(h);
    await h.store.saveProxyUser({ userId: ALICE, seenAt: new Date() });
    const message = userMessage({});
    await h.send(message);
    await h.restart();
    // No explicit start(): the first event starts the speedbump (recovering holds first).
    expect(await h.send(del(message.id))).toMatchObject({ action: "drop", reason: "deleted_during_hold" });
    await h.advance(10_000);
    expect(h.delivered).toHaveLength(0);
  });

  it("with PluralKit down, a recovered hold is delivered rather than lost", async () => {
    const h = setup();
    await enableSpeedbump(h);
    await h.store.saveProxyUser({ userId: ALICE, seenAt: new Date() });
    await h.send(userMessage({}));
    await h.restart();
    h.pk.state.down = true;
    await h.speedbump.start();
    await h.advance(10_000);
    expect(creates(h)).toHaveLength(1);
  });
});

describe("a first-time proxy user", () => {
  it("is relayed once before being known (the sink gets the delete), then held from the next message", async () => {
    const h = setup();
    await enableSpeedbump(h);
    const first = userMessage({ author: BOB, content: "b: hi" });
    expect(await h.send(first)).toMatchObject({ action: "deliver", reason: "not_proxy_user" });
    const proxiedId = nextId();
    h.pk.proxied({ id: proxiedId, original: first.id, sender: BOB, memberId: "bbbbb", name: "Bea" });
    await h.send(webhookMessage({ id: proxiedId, content: "hi" }));
    await h.send(del(first.id));
    expect(h.delivered.map((d) => d.type)).toEqual(["create", "create", "delete"]);
    expect(h.delivered[2]).toMatchObject({ type: "delete", messageId: first.id });

    const second = userMessage({ author: BOB, content: "b: again" });
    expect(await h.send(second)).toMatchObject({ action: "hold", reason: "proxy_user" });
    expect(await h.store.isProxyUser({ userId: BOB })).toBe(true);
  });

  it("is held from the first message when holdAllUsers is on", async () => {
    const h = setup({ holdAllUsers: true });
    await enableSpeedbump(h);
    const first = userMessage({ author: BOB });
    expect(await h.send(first)).toMatchObject({ action: "hold", reason: "all_users" });
    await h.send(del(first.id));
    await h.advance(10_000);
    expect(h.delivered).toHaveLength(0);
  });
});

describe("delivery", () => {
  it("a failed delivery of a held message is retried and delivered once", async () => {
    const h = setup({ deliveryRetryMs: 1_000 });
    await enableSpeedbump(h);
    await h.store.saveProxyUser({ userId: ALICE, seenAt: new Date() });
    const message = userMessage({});
    await h.send(message);
    h.sink.fail = 2;
    await h.advance(4_000);
    expect(h.delivered).toHaveLength(0);
    expect(await h.store.listHolds()).toHaveLength(1);
    await h.advance(1_000);
    expect(h.delivered).toHaveLength(0);
    await h.advance(2_000);
    expect(h.delivered).toHaveLength(1);
    await h.advance(60_000);
    expect(h.delivered).toHaveLength(1);
    expect(await h.store.listHolds()).toEqual([]);
    expect(h.logs.filter((l) => l.kind === "speedbump.deliver_failed")).toHaveLength(2);
  });

  it("a sink failure on a proxied message keeps the held original; the re-fed proxied message is delivered once", async () => {
    const h = setup();
    await enableSpeedbump(h);
    await h.store.saveProxyUser({ userId: ALICE, seenAt: new Date() });
    const original = userMessage({ content: "a: hello" });
    await h.send(original);
    const proxiedId = nextId();
    h.pk.proxied({ id: proxiedId, original: original.id, sender: ALICE });
    const proxied = webhookMessage({ id: proxiedId });
    h.sink.fail = 1;
    await expect(h.speedbump.handle(proxied)).rejects.toThrow("sink down");
    expect(h.speedbump.stats().pendingHolds).toBe(1);
    expect(await h.store.listHolds()).toHaveLength(1);

    expect(await h.send(proxied)).toMatchObject({ action: "deliver", reason: "proxy_webhook" });
    expect(await h.store.listHolds()).toEqual([]);
    await h.send(del(original.id));
    await h.advance(10_000);
    expect(creates(h).map((d) => (d as CreateDelivery).message.id)).toEqual([proxiedId]);
  });

  it("a failed immediate delivery rejects handle() so the caller can re-feed the event", async () => {
    const h = setup();
    h.sink.fail = 1;
    const message = userMessage({});
    await expect(h.speedbump.handle(message)).rejects.toThrow("sink down");
    await h.send(message);
    expect(h.delivered).toHaveLength(1);
  });

  it("bots are never held", async () => {
    const h = setup({ holdAllUsers: true });
    await enableSpeedbump(h);
    const message = userMessage({});
    message.author.bot = true;
    expect(await h.send(message)).toMatchObject({ action: "deliver", reason: "bot" });
  });

  it("keeps a channel's deliveries in event order", async () => {
    const h = setup();
    await enableSpeedbump(h);
    const proxiedId = nextId();
    h.pk.proxied({ id: proxiedId, original: nextId(), sender: ALICE });
    let release: () => void = () => {};
    const gate = new Promise<void>((r) => {
      release = r;
    });
    const original = h.pk.lookup.getMessage.getMockImplementation()!;
    h.pk.lookup.getMessage.mockImplementationOnce(async (opts) => {
      await gate;
      return original(opts);
    });
    const a = h.speedbump.handle(webhookMessage({ id: proxiedId }));
    const b = h.speedbump.handle(userMessage({ author: BOB, content: "after" }));
    release();
    await Promise.all([a, b]);
    expect(h.delivered.map((d) => (d as CreateDelivery).message.id)).toEqual([
      proxiedId,
      expect.any(String) as unknown as string,
    ]);
    expect((h.delivered[1] as CreateDelivery).message.content).toBe("after");
  });

  it("refuses events after stop()", async () => {
    const h = setup();
    await h.speedbump.stop();
    await expect(h.speedbump.handle(userMessage({}))).rejects.toMatchObject({ code: "stopped" });
  });
});

describe("member sightings", () => {
  it("records the member and sender per guild for the clean-ups", async () => {
    const h = setup();
    const proxiedId = nextId();
    h.pk.proxied({ id: proxiedId, original: nextId(), sender: ALICE });
    await h.send(webhookMessage({ id: proxiedId }));
    expect(await h.store.listMembersProxiedBy({ guildId: GUILD, userId: ALICE })).toMatchObject([
      { key: "pk:uuid-abcde", handle: "_pk_abcde", displayName: "Alice [she/her]", otherSenders: 0 },
    ]);
  });
});
