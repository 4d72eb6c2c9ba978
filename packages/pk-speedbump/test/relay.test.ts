import { GuildkitError } from "@guildkit/core";
import { createFakeTime, createMemoryEventLog, type FakeTime } from "@guildkit/core/testing";
import { codePointLength, usernameProblem } from "@guildkit/webhook-templates";
import { beforeEach, describe, expect, it } from "vitest";
import { PLURALKIT_APPLICATION_ID } from "../src/channel-state";
import {
  createRelay,
  nextRetry,
  type Relay,
  type RelayOptions,
  type RelaySink,
  resolveRelayRetry,
  sinkContent,
  sinkProfile,
  sinkUsername,
} from "../src/index";
import { createMemorySpeedbumpStore, type MemorySpeedbumpStore } from "../src/memory-store";
import type { ChannelWebhook } from "../src/ports";
import { ALICE, CHANNEL, createFakePluralKit, GUILD, PK_WEBHOOK, QUIET_CHANNEL, THREAD } from "./harness";

const SINK_WEBHOOK = "390000000000000009";
const DELAY_MS = 4_000;

interface Posted {
  id: string;
  content: string;
  username: string | undefined;
  avatarUrl: string | undefined;
}

/** A sink in memory; `failing(content)` makes posts of that content fail. */
function createMemorySink(failing: (content: string) => unknown = () => null) {
  const messages = new Map<string, Posted>();
  const attempts: string[] = [];
  let next = 1;
  const sink: RelaySink = {
    webhookId: SINK_WEBHOOK,
    async post({ body }) {
      attempts.push(body.content);
      const failure = failing(body.content);
      if (failure) throw failure;
      const id = `sink-${next++}`;
      messages.set(id, { id, content: body.content, username: body.username, avatarUrl: body.avatar_url });
      return { id };
    },
    async edit({ messageId, body }) {
      const message = messages.get(messageId);
      if (message) message.content = body.content;
    },
    async delete({ messageId }) {
      messages.delete(messageId);
    },
  };
  return { sink, attempts, contents: () => [...messages.values()].map((m) => m.content), messages };
}

let time: FakeTime;
let store: MemorySpeedbumpStore;
let webhooks: Map<string, ChannelWebhook[]>;
let pk: ReturnType<typeof createFakePluralKit>;
let nextId = 600000000000000000n;
const id = () => (nextId++).toString();

beforeEach(() => {
  time = createFakeTime(Date.parse("2026-11-23T12:00:00Z"));
  store = createMemorySpeedbumpStore();
  webhooks = new Map([[CHANNEL, [{ id: PK_WEBHOOK, applicationId: PLURALKIT_APPLICATION_ID }]]]);
  pk = createFakePluralKit();
});

function startRelay(sink: RelaySink, overrides: Partial<RelayOptions> = {}): Relay {
  return createRelay({
    store,
    webhooks: { list: async ({ channelId }) => webhooks.get(channelId) ?? [] },
    lookup: pk.lookup,
    sink,
    clock: time.clock,
    scheduler: time.scheduler,
    speedbump: { delayMs: DELAY_MS },
    ...overrides,
  });
}

const author = { id: ALICE, username: "alice" };
const userLine = (msgId: string, content: string, channelId = CHANNEL) =>
  JSON.stringify({
    t: "MESSAGE_CREATE",
    d: { id: msgId, channel_id: channelId, guild_id: GUILD, author, content },
  });
const deleteLine = (msgId: string, channelId = CHANNEL) =>
  JSON.stringify({ t: "MESSAGE_DELETE", d: { id: msgId, channel_id: channelId, guild_id: GUILD } });
const updateLine = (msgId: string, content: string) =>
  JSON.stringify({ type: "update", id: msgId, channelId: CHANNEL, content });
const webhookLine = (
  msgId: string,
  webhookId: string,
  content: string,
  applicationId: string | null = null,
) =>
  JSON.stringify({
    t: "MESSAGE_CREATE",
    d: {
      id: msgId,
      channel_id: CHANNEL,
      guild_id: GUILD,
      author: { id: webhookId, username: "Alice | sys", bot: true },
      webhook_id: webhookId,
      application_id: applicationId,
      content,
    },
  });

/** Turns the speedbump on in CHANNEL (a delete makes it read the webhooks) and marks Alice a proxy user. */
async function speedbumpOn(relay: Relay) {
  await store.saveProxyUser({ userId: ALICE, seenAt: time.clock.now() });
  await relay.handleLine(deleteLine(id()));
  await relay.speedbump.settled();
}

describe("the sink's rules", () => {
  it("usernames: Discord's forbidden words defaced, never empty, at most 80 code points", () => {
    for (const name of ["My Discord Alt", "CLYDE", "  ", "😀".repeat(100), "x".repeat(100)]) {
      const username = sinkUsername(name);
      expect(usernameProblem(username)).toBeNull();
      expect(codePointLength(username)).toBeLessThanOrEqual(80);
    }
    expect(sinkUsername("My Discord Alt")).toBe("My d*scord Alt");
    expect(sinkUsername("  ")).toBe("unknown");
  });

  it("content: text and attachment URLs, '[no text]' when empty, cut to 2,000 code points with an ellipsis", () => {
    expect(sinkContent({ content: "hi", attachments: [{ url: "https://cdn/x.png" }, { id: 1 }] })).toBe(
      "hi\nhttps://cdn/x.png",
    );
    expect(sinkContent({ content: "", attachments: [] })).toBe("[no text]");
    const long = sinkContent({ content: "👍".repeat(2_500), attachments: [] });
    expect(codePointLength(long)).toBe(2_000);
    expect(long.endsWith("👍…")).toBe(true);
  });

  it("display names: the PluralKit member, another webhook's own profile, the user's global name", () => {
    const identity = { displayName: "Alice [she/her]", avatarUrl: "https://a/p.png" };
    expect(sinkProfile({ kind: "pluralkit", identity } as never)).toEqual({
      username: "Alice [she/her]",
      avatarUrl: "https://a/p.png",
    });
    expect(
      sinkProfile({ kind: "webhook", webhook: { webhookId: "1", username: "Hook", avatarUrl: null } }),
    ).toEqual({ username: "Hook", avatarUrl: null });
    const user = { id: "1", username: "alice", globalName: "Alice", avatar: "abc", bot: false };
    expect(sinkProfile({ kind: "user", user })).toEqual({ username: "Alice", avatarUrl: null });
    expect(sinkProfile({ kind: "user", user: { ...user, globalName: null } }).username).toBe("alice");
  });
});

describe("the retry policy", () => {
  const policy = resolveRelayRetry({ attempts: 4, baseDelayMs: 1_000, maxDelayMs: 3_000 });
  const transient = new GuildkitError("busy", { retryable: true });

  it("doubles from the base to the cap, and gives up after the last attempt", () => {
    expect([1, 2, 3].map((n) => nextRetry(n, transient, policy))).toEqual([
      { giveUp: false, delayMs: 1_000 },
      { giveUp: false, delayMs: 2_000 },
      { giveUp: false, delayMs: 3_000 },
    ]);
    expect(nextRetry(4, transient, policy)).toEqual({ giveUp: true });
  });

  it("gives up at once on an error that says a retry cannot help, and waits out a longer retryAfterMs", () => {
    expect(nextRetry(1, new GuildkitError("bad", { retryable: false }), policy)).toEqual({ giveUp: true });
    const limited = new GuildkitError("429", { retryable: true, retryAfterMs: 10_000 });
    expect(nextRetry(1, limited, policy)).toEqual({ giveUp: false, delayMs: 10_000 });
    expect(nextRetry(1, new Error("plain"), policy)).toEqual({ giveUp: false, delayMs: 1_000 });
  });
});

describe("the relay core, on fake time", () => {
  it("holds a proxy user's message, drops it when PluralKit re-posts it, and posts the member's once", async () => {
    const { sink, contents, messages } = createMemorySink();
    const relay = startRelay(sink);
    await speedbumpOn(relay);
    const original = id();
    const proxied = id();
    await relay.handleLine(userLine(original, "a: hello"));
    pk.proxied({ id: proxied, original, sender: ALICE });
    await relay.handleLine(webhookLine(proxied, PK_WEBHOOK, "hello", PLURALKIT_APPLICATION_ID));
    await relay.handleLine(deleteLine(original));
    await time.advance(DELAY_MS * 2);
    await relay.speedbump.settled();
    expect(contents()).toEqual(["hello"]);
    expect([...messages.values()][0]).toMatchObject({ username: "Alice [she/her]" });
    await relay.stop();
  });

  it("mirrors edits and deletes of relayed messages; a held one is delivered with its latest content", async () => {
    const { sink, contents } = createMemorySink();
    const relay = startRelay(sink);
    await speedbumpOn(relay);
    const message = id();
    await relay.handleLine(userLine(message, "draft"));
    await relay.handleLine(updateLine(message, "final"));
    await time.advance(DELAY_MS - 1);
    expect(contents()).toEqual([]);
    await time.advance(1);
    await relay.speedbump.settled();
    expect(contents()).toEqual(["final"]);
    await relay.handleLine(updateLine(message, "edited later"));
    expect(contents()).toEqual(["edited later"]);
    await relay.handleLine(deleteLine(message));
    expect(contents()).toEqual([]);
    expect(relay.stats()).toMatchObject({ forwarded: 1, edited: 1, deleted: 1 });
  });

  it("never relays the sink's own messages back (the echo guard)", async () => {
    const { sink, contents } = createMemorySink();
    const relay = startRelay(sink);
    await relay.handleLine(webhookLine(id(), SINK_WEBHOOK, "echo"));
    await relay.handleLine(webhookLine(id(), "390000000000000008", "another webhook"));
    expect(contents()).toEqual(["another webhook"]);
  });

  it("learns a thread's parent from THREAD_CREATE and holds the thread's messages in the parent's speedbump", async () => {
    const { sink, contents } = createMemorySink();
    const relay = startRelay(sink);
    await speedbumpOn(relay);
    await relay.handleLine(JSON.stringify({ t: "THREAD_CREATE", d: { id: THREAD, parent_id: CHANNEL } }));
    await relay.handleLine(userLine(id(), "in the thread", THREAD));
    expect(relay.speedbump.stats().pendingHolds).toBe(1);
    expect(contents()).toEqual([]);
  });

  it("retries a failed event in order per channel while other channels go on, then dead-letters it", async () => {
    const eventLog = createMemoryEventLog();
    const { sink, contents, attempts } = createMemorySink((content) =>
      content === "doomed" ? new GuildkitError("sink down", { retryable: true }) : null,
    );
    const relay = startRelay(sink, { eventLog, retry: { attempts: 3, baseDelayMs: 1_000 } });
    const doomed = relay.handleLine(userLine(id(), "doomed", QUIET_CHANNEL));
    const after = relay.handleLine(userLine(id(), "after", QUIET_CHANNEL));
    await relay.handleLine(userLine(id(), "elsewhere", CHANNEL));
    await time.flush();
    expect(contents()).toEqual(["elsewhere"]);
    await time.advance(999);
    expect(attempts.filter((c) => c === "doomed")).toHaveLength(1);
    await time.advance(1);
    expect(attempts.filter((c) => c === "doomed")).toHaveLength(2);
    await time.advance(2_000);
    await Promise.all([doomed, after]);
    expect(contents()).toEqual(["elsewhere", "after"]);
    expect(relay.stats()).toMatchObject({ retried: 2, deadLettered: 1 });
    expect(eventLog.ofKind("relay.dead_letter")[0]?.data).toMatchObject({
      attempts: 3,
      event: { type: "create", content: "doomed" },
    });
  });

  it("dead-letters at once an event whose error says a retry cannot help, and one waiting when the relay stops", async () => {
    const { sink } = createMemorySink(
      (content) => new GuildkitError("refused", { retryable: content !== "permanent" }),
    );
    const relay = startRelay(sink);
    await relay.handleLine(userLine(id(), "permanent", QUIET_CHANNEL));
    expect(relay.stats()).toMatchObject({ retried: 0, deadLettered: 1 });
    const waiting = relay.handleLine(userLine(id(), "transient", QUIET_CHANNEL));
    await time.flush();
    expect(relay.stats().retried).toBe(1);
    await relay.stop();
    await waiting;
    expect(relay.stats()).toMatchObject({ retried: 1, deadLettered: 2 });
  });

  it("run() waits for the holds to fall due once the source ends, woken by the hold's timer (no polling)", async () => {
    const { sink, contents } = createMemorySink();
    const relay = startRelay(sink);
    await speedbumpOn(relay);
    async function* source() {
      yield userLine(id(), "held");
      yield userLine(id(), "quiet", QUIET_CHANNEL);
    }
    let done = false;
    const running = relay.run(source()).then(() => {
      done = true;
    });
    await time.flush();
    expect(contents()).toEqual(["quiet"]);
    expect(done).toBe(false);
    // Only the hold's own timer is armed: nothing polls.
    expect(time.pending()).toBe(1);
    await time.advance(DELAY_MS);
    await running;
    expect(contents()).toEqual(["quiet", "held"]);
  });

  it("run() stops waiting for holds when its signal aborts; they stay in the store", async () => {
    const { sink } = createMemorySink();
    const relay = startRelay(sink);
    await speedbumpOn(relay);
    const controller = new AbortController();
    async function* source() {
      yield userLine(id(), "held");
    }
    const running = relay.run(source(), { signal: controller.signal });
    await time.flush();
    controller.abort();
    await running;
    await relay.stop();
    expect(await store.listHolds()).toHaveLength(1);
  });
});
