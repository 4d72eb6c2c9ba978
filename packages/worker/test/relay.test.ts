import { createFakeTime, type FakeTime } from "@guildkit/core/testing";
import { createDiscordRest } from "@guildkit/discord-rest";
import { type DiscordSim, startDiscordSim } from "@guildkit/discord-sim";
import { PLURALKIT_APPLICATION_ID, type RelayLogger } from "@guildkit/pk-speedbump";
import { createPluralKitApi } from "@guildkit/pluralkit-api";
import * as sqlite from "@guildkit/store-sqlite";
import { createSqliteTestStore, type TestStoreHandle } from "@guildkit/store-testkit";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createMetrics, serveMetrics } from "../src/metrics";
import { createRelay, type Relay, type RelayDiscord, type RelayOptions, sinkUsername } from "../src/relay";

const DELAY_MS = 150;
const GUILD = "1100000000000000000";
const CHANNEL = "1200000000000000001";
const THREAD = "1200000000000000071";
const QUIET = "1200000000000000002";
const SINK_CHANNEL = "1200000000000000009";
const PK_WEBHOOK = "1250000000000000001";
const SINK_WEBHOOK = "1250000000000000009";
const ALICE = "80351110224678912";

let sim: DiscordSim;
let handle: TestStoreHandle;
let botToken: string;
let relays: Relay[] = [];
/** Fake time for every relay of a test: holds and retries fall due only through `time.advance`. */
let time: FakeTime;
let nextId = 1300000000000000000n;
const id = () => (nextId++).toString();

beforeAll(async () => {
  sim = await startDiscordSim({ routeLimits: { pk_message: { limit: 50, windowMs: 1_000 } } });
});
afterAll(async () => {
  await sim.close();
});
beforeEach(async () => {
  sim.reset();
  const app = sim.seed.application({});
  botToken = app.botToken;
  sim.seed.guild({ id: GUILD });
  for (const channel of [CHANNEL, QUIET, SINK_CHANNEL]) sim.seed.channel({ guildId: GUILD, id: channel });
  sim.seed.webhook({
    channelId: CHANNEL,
    id: PK_WEBHOOK,
    applicationId: PLURALKIT_APPLICATION_ID,
    name: "PluralKit",
  });
  sim.seed.webhook({ channelId: SINK_CHANNEL, id: SINK_WEBHOOK, token: "sink-token", name: "relay" });
  handle = await createSqliteTestStore(sqlite);
  time = createFakeTime(Date.parse("2026-11-23T12:00:00Z"));
});
afterEach(async () => {
  for (const relay of relays) await relay.stop();
  relays = [];
  await handle.teardown();
});

function simDiscord(): RelayDiscord {
  return createDiscordRest({
    token: botToken,
    apiBaseUrl: sim.apiBaseUrl,
    cdnBaseUrl: sim.cdnBaseUrl,
    rps: 50,
  });
}

function startRelay(overrides: Partial<RelayOptions> = {}): Relay {
  const relay = createRelay({
    store: handle.store.speedbump,
    eventLog: handle.store.eventLog,
    discord: simDiscord(),
    pluralkit: createPluralKitApi({ baseUrl: sim.pluralkitBaseUrl, userAgent: "guildkit-tests/1.0" }),
    sinkWebhookUrl: `${sim.apiBaseUrl}/webhooks/${SINK_WEBHOOK}/sink-token`,
    speedbump: { delayMs: DELAY_MS },
    clock: time.clock,
    scheduler: time.scheduler,
    ...overrides,
  });
  relays.push(relay);
  return relay;
}

/** The sim's Discord, whose webhook posts fail while `failing(content)` says so; `attempts` counts posts by content. */
function flakySink(
  failing: (content: string) => boolean,
  attempts = new Map<string, number>(),
): RelayDiscord {
  const discord = simDiscord();
  return {
    getChannelWebhooks: (input) => discord.getChannelWebhooks(input),
    editWebhookMessage: (input) => discord.editWebhookMessage(input),
    deleteWebhookMessage: (input) => discord.deleteWebhookMessage(input),
    parseWebhookUrl: (url) => discord.parseWebhookUrl(url),
    executeWebhook: (async (input: Parameters<RelayDiscord["executeWebhook"]>[0]) => {
      const content = String(input.body.content ?? "");
      attempts.set(content, (attempts.get(content) ?? 0) + 1);
      if (failing(String(input.body.content ?? ""))) throw new Error("sink unavailable");
      return discord.executeWebhook(input);
    }) as RelayDiscord["executeWebhook"],
  };
}

/**
 * A logger that tells when the relay schedules a retry: `retried(n)` resolves once the n-th retry is
 * scheduled (its wait already armed on the fake scheduler), so a test advances time right after.
 */
function retryWatch() {
  let count = 0;
  const waiters: { n: number; resolve: () => void }[] = [];
  const logger: RelayLogger = {
    info() {},
    error() {},
    warn(_obj, msg) {
      if (!msg?.startsWith("relay: handling an event failed")) return;
      count++;
      for (const waiter of waiters.filter((w) => w.n <= count)) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve();
      }
    },
  };
  const retried = (n: number) =>
    n <= count ? Promise.resolve() : new Promise<void>((resolve) => waiters.push({ n, resolve }));
  return { logger, retried };
}

const place = (channelId = CHANNEL) => ({ channel_id: channelId, guild_id: GUILD });
const userCreate = (msgId: string, content: string, channelId = CHANNEL) =>
  JSON.stringify({
    t: "MESSAGE_CREATE",
    d: { id: msgId, ...place(channelId), author: { id: ALICE, username: "alice" }, content },
  });
const pkCreate = (msgId: string, content: string) =>
  JSON.stringify({
    t: "MESSAGE_CREATE",
    d: {
      id: msgId,
      ...place(),
      author: { id: PK_WEBHOOK, username: "Alice | sys", bot: true },
      webhook_id: PK_WEBHOOK,
      application_id: PLURALKIT_APPLICATION_ID,
      content,
    },
  });
const threadCreate = (msgId: string, content: string) =>
  JSON.stringify({
    type: "create",
    id: msgId,
    channelId: THREAD,
    parentId: CHANNEL,
    guildId: GUILD,
    author: { id: ALICE, username: "alice" },
    content,
  });
const deleteLine = (msgId: string, channelId = CHANNEL) =>
  JSON.stringify({ t: "MESSAGE_DELETE", d: { id: msgId, ...place(channelId) } });
const updateLine = (msgId: string, content: string) =>
  JSON.stringify({ type: "update", id: msgId, channelId: CHANNEL, content });

function seedProxy(proxied: string, original: string) {
  sim.seed.pkMessage({
    id: proxied,
    original,
    sender: ALICE,
    channel: CHANNEL,
    guild: GUILD,
    system: { id: "exmpl", uuid: "sys-uuid", name: "Sys", tag: "| sys", avatar_url: null },
    member: {
      id: "abcde",
      uuid: "mem-uuid",
      name: "Alice",
      display_name: null,
      pronouns: "she/her",
      avatar_url: "https://example.org/alice.png",
      webhook_avatar_url: null,
      color: null,
    },
  });
}

const posted = () => sim.inspect.messages(SINK_WEBHOOK);
/** Lets the holds due within `ms` fall due and waits for their deliveries. */
async function elapse(relay: Relay, ms: number) {
  await time.advance(ms);
  await relay.speedbump.settled();
}

describe("the reference relay over HTTP against discord-sim", () => {
  it("suppresses the send–delete–send dance and posts the proxied message once, as the member", async () => {
    const relay = startRelay();
    // A delete turns the speedbump on (PluralKit's webhook is in the channel).
    await relay.handleLine(deleteLine(id()));
    await relay.speedbump.settled();
    // A first proxied message teaches the relay that Alice proxies.
    const firstOriginal = id();
    const firstProxied = id();
    seedProxy(firstProxied, firstOriginal);
    await relay.handleLine(pkCreate(firstProxied, "first"));
    await relay.speedbump.settled();
    expect(posted()).toHaveLength(1);
    expect(posted()[0]).toMatchObject({
      content: "first",
      username: "Alice [she/her]",
      avatarUrl: "https://example.org/alice.png",
    });
    expect(posted()[0]?.body).toMatchObject({ allowed_mentions: { parse: [] } });

    // The dance: the original is held, PluralKit re-posts and deletes it.
    const original = id();
    const proxied = id();
    await relay.handleLine(userCreate(original, "a: hello @everyone"));
    seedProxy(proxied, original);
    await relay.handleLine(pkCreate(proxied, "hello @everyone"));
    await relay.handleLine(deleteLine(original));
    await elapse(relay, DELAY_MS * 2);
    expect(posted().map((m) => m.content)).toEqual(["first", "hello @everyone"]);
    expect(posted()[1]?.mentionEveryone ?? false).toBe(false);
    expect(posted().some((m) => m.content.startsWith("a:"))).toBe(false);
  });

  it("delivers a message updated during its hold once, with the latest content, and mirrors later edits and deletes", async () => {
    const relay = startRelay();
    await handle.store.speedbump.saveProxyUser({ userId: ALICE, seenAt: time.clock.now() });
    await relay.handleLine(deleteLine(id()));
    await relay.speedbump.settled();
    const message = id();
    await relay.handleLine(userCreate(message, "see https://example.org"));
    await relay.handleLine(updateLine(message, "see https://example.org (fixed)"));
    await relay.speedbump.settled();
    await time.advance(DELAY_MS - 1);
    await relay.speedbump.settled();
    expect(posted()).toHaveLength(0);
    await elapse(relay, 1);
    expect(posted()).toHaveLength(1);
    expect(posted()[0]?.content).toBe("see https://example.org (fixed)");
    expect(posted()[0]?.username).toBe("alice");

    await relay.handleLine(updateLine(message, "later edit"));
    await relay.speedbump.settled();
    expect(posted()[0]?.content).toBe("later edit");
    await relay.handleLine(deleteLine(message));
    await relay.speedbump.settled();
    expect(posted()).toHaveLength(0);
    expect(relay.stats()).toMatchObject({ forwarded: 1, edited: 1, deleted: 1 });
  });

  it("adds no delay in a channel without PluralKit", async () => {
    const relay = startRelay();
    await handle.store.speedbump.saveProxyUser({ userId: ALICE, seenAt: time.clock.now() });
    await relay.handleLine(deleteLine(id(), QUIET));
    await relay.speedbump.settled();
    await relay.handleLine(userCreate(id(), "quiet hello", QUIET));
    expect(posted().map((m) => m.content)).toEqual(["quiet hello"]);
  });

  it("holds survive a restart: a pending hold is delivered once by the next process", async () => {
    const first = startRelay();
    await handle.store.speedbump.saveProxyUser({ userId: ALICE, seenAt: time.clock.now() });
    await first.handleLine(deleteLine(id()));
    await first.speedbump.settled();
    const kept = id();
    const proxiedWhileDown = id();
    await first.handleLine(userCreate(kept, "survives the restart"));
    await first.handleLine(userCreate(proxiedWhileDown, "a: proxied while down"));
    await first.stop();
    expect(await handle.store.speedbump.listHolds()).toHaveLength(2);

    // While the relay was down PluralKit proxied one of them (its delete was never seen).
    seedProxy(id(), proxiedWhileDown);
    const second = startRelay();
    await expect(second.speedbump.start()).resolves.toEqual({ recoveredHolds: 2, activeChannels: 1 });
    await elapse(second, DELAY_MS);
    expect(posted().map((m) => m.content)).toEqual(["survives the restart"]);
    expect(await handle.store.speedbump.listHolds()).toEqual([]);
  });

  it("reads a JSON-lines stream to the end, skipping invalid lines and its own sink's messages", async () => {
    const relay = startRelay();
    const lines = [
      "not json",
      JSON.stringify({ t: "THREAD_CREATE", d: { id: "1200000000000000077", parent_id: QUIET } }),
      userCreate(id(), "one", QUIET),
      JSON.stringify({
        t: "MESSAGE_CREATE",
        d: {
          id: id(),
          ...place(SINK_CHANNEL),
          author: { id: SINK_WEBHOOK, username: "relay", bot: true },
          webhook_id: SINK_WEBHOOK,
          content: "echo",
        },
      }),
      userCreate(id(), "two", "1200000000000000077"),
    ];
    async function* input() {
      yield* lines;
    }
    await relay.run(input());
    expect(posted().map((m) => m.content)).toEqual(["one", "two"]);
    expect(relay.stats()).toMatchObject({ lines: 5, invalidLines: 1, forwarded: 2 });
  });
});

describe("the relay when the sink fails", () => {
  it("retries with backoff, in order per channel, while other channels go on", async () => {
    let down = true;
    const attempts = new Map<string, number>();
    const watch = retryWatch();
    const relay = startRelay({
      discord: flakySink((content) => down && content.startsWith("quiet"), attempts),
      retry: { attempts: 5, baseDelayMs: 1_000 },
      logger: watch.logger,
    });
    const first = relay.handleLine(userCreate(id(), "quiet 1", QUIET));
    const second = relay.handleLine(userCreate(id(), "quiet 2", QUIET));
    await relay.handleLine(userCreate(id(), "elsewhere", CHANNEL));
    await watch.retried(1);
    expect(posted().map((m) => m.content)).toEqual(["elsewhere"]);
    await time.advance(1_000);
    await watch.retried(2);
    expect(posted()).toHaveLength(1);
    down = false;
    // The next attempt is due 2,000 ms on: a millisecond before, nothing has been tried again.
    await time.advance(1_999);
    expect(posted()).toHaveLength(1);
    expect(attempts.get("quiet 1")).toBe(2);
    expect(attempts.get("quiet 2")).toBeUndefined();
    await time.advance(1);
    await Promise.all([first, second]);
    expect(posted().map((m) => m.content)).toEqual(["elsewhere", "quiet 1", "quiet 2"]);
    expect(relay.stats()).toMatchObject({ forwarded: 3, retried: 2, deadLettered: 0 });
  });

  it("dead-letters an event to the event log after the last attempt, and the channel moves on", async () => {
    const watch = retryWatch();
    const relay = startRelay({
      discord: flakySink((content) => content === "doomed"),
      retry: { attempts: 2, baseDelayMs: 1_000 },
      logger: watch.logger,
    });
    const doomed = id();
    const first = relay.handleLine(userCreate(doomed, "doomed", QUIET));
    const next = relay.handleLine(userCreate(id(), "next", QUIET));
    await watch.retried(1);
    await time.advance(1_000);
    await Promise.all([first, next]);
    expect(posted().map((m) => m.content)).toEqual(["next"]);
    expect(relay.stats()).toMatchObject({ deadLettered: 1 });
    const [letter] = await handle.store.eventLog.list({ kind: "relay.dead_letter" });
    expect(letter).toMatchObject({ level: "error" });
    expect(letter?.data).toMatchObject({
      attempts: 2,
      event: { type: "create", id: doomed, content: "doomed" },
    });
  });

  it("a proxied message whose post failed is retried; its original is dropped and neither is lost", async () => {
    let failures = 1;
    const watch = retryWatch();
    const relay = startRelay({
      discord: flakySink((content) => content === "hello" && failures-- > 0),
      logger: watch.logger,
    });
    await handle.store.speedbump.saveProxyUser({ userId: ALICE, seenAt: time.clock.now() });
    await relay.handleLine(deleteLine(id()));
    await relay.speedbump.settled();
    const original = id();
    const proxied = id();
    await relay.handleLine(userCreate(original, "a: hello"));
    seedProxy(proxied, original);
    const proxiedDone = relay.handleLine(pkCreate(proxied, "hello"));
    const deleted = relay.handleLine(deleteLine(original));
    await watch.retried(1);
    expect(posted()).toHaveLength(0);
    await time.advance(1_000);
    await Promise.all([proxiedDone, deleted]);
    await time.advance(60_000);
    await relay.speedbump.settled();
    expect(posted().map((m) => [m.content, m.username])).toEqual([["hello", "Alice [she/her]"]]);
    expect(await handle.store.speedbump.listHolds()).toEqual([]);
  });
});

describe("thread parents", () => {
  it("are learnt from an event that names its parent and applied to the thread's later gateway events", async () => {
    const relay = startRelay();
    await handle.store.speedbump.saveProxyUser({ userId: ALICE, seenAt: time.clock.now() });
    await relay.handleLine(deleteLine(id()));
    await relay.speedbump.settled();
    await relay.handleLine(threadCreate(id(), "in the thread"));
    // A gateway dispatch names only the thread: it still goes through the parent's speedbump.
    await relay.handleLine(userCreate(id(), "gateway, in the thread", THREAD));
    expect(relay.speedbump.stats().pendingHolds).toBe(2);
    expect(posted()).toHaveLength(0);
  });

  it("are learnt from parent_id on a dispatch and from THREAD_UPDATE", async () => {
    const relay = startRelay();
    await handle.store.speedbump.saveProxyUser({ userId: ALICE, seenAt: time.clock.now() });
    await relay.handleLine(deleteLine(id()));
    await relay.speedbump.settled();
    const other = "1200000000000000072";
    await relay.handleLine(JSON.stringify({ t: "THREAD_UPDATE", d: { id: other, parent_id: CHANNEL } }));
    await relay.handleLine(userCreate(id(), "thread via THREAD_UPDATE", other));
    await relay.handleLine(
      JSON.stringify({
        t: "MESSAGE_CREATE",
        d: {
          id: id(),
          ...place(THREAD),
          parent_id: CHANNEL,
          author: { id: ALICE, username: "alice" },
          content: "x",
        },
      }),
    );
    await relay.handleLine(userCreate(id(), "later, same thread", THREAD));
    expect(relay.speedbump.stats().pendingHolds).toBe(3);
  });
});

describe("the relay's speedbump metrics, scraped over HTTP", () => {
  it("count holds once each and time them until delivered or dropped; pending holds read at scrape time", async () => {
    const registry = createMetrics("relay-test");
    const server = await serveMetrics({ registry, port: 0, host: "127.0.0.1", ping: async () => {} });
    const scrape = async () => (await fetch(`http://127.0.0.1:${server.port}/metrics`)).text();
    try {
      const relay = startRelay({ metrics: registry });
      await handle.store.speedbump.saveProxyUser({ userId: ALICE, seenAt: time.clock.now() });
      await relay.handleLine(deleteLine(id()));
      await relay.speedbump.settled();
      const dropped = id();
      const kept = id();
      await relay.handleLine(userCreate(dropped, "a: proxied"));
      await relay.handleLine(userCreate(kept, "kept"));
      await relay.handleLine(updateLine(kept, "kept, edited")); // an update during the hold: still one hold
      expect(await scrape()).toMatch(/guildkit_speedbump_pending_holds\{app="relay-test"\} 2/);
      await time.advance(DELAY_MS / 3);
      seedProxy(id(), dropped);
      await relay.handleLine(deleteLine(dropped)); // PluralKit deleted it: dropped after a third of the delay
      await elapse(relay, DELAY_MS - DELAY_MS / 3); // the other is due now
      expect(posted().map((m) => m.content)).toEqual(["kept, edited"]);
      const text = await scrape();
      expect(text).toMatch(/guildkit_speedbump_holds_total\{app="relay-test"\} 2/);
      expect(text).toMatch(/guildkit_speedbump_hold_duration_seconds_count\{app="relay-test"\} 2/);
      // 0.05 s (dropped) + 0.15 s (delivered when due)
      expect(text).toMatch(/guildkit_speedbump_hold_duration_seconds_sum\{app="relay-test"\} 0\.2\b/);
      expect(text).toMatch(/guildkit_speedbump_hold_duration_seconds_bucket\{le="0\.1",app="relay-test"\} 1/);
      expect(text).toMatch(/guildkit_speedbump_pending_holds\{app="relay-test"\} 0/);
    } finally {
      await server.close();
    }
  });
});

describe("sinkUsername", () => {
  it("keeps webhook names within Discord's rules", () => {
    expect(sinkUsername("My Discord Alt")).toBe("My d*scord Alt");
    expect(sinkUsername("  ")).toBe("unknown");
    expect(sinkUsername("x".repeat(100))).toHaveLength(80);
  });
});
