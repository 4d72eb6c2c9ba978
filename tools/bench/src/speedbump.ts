/**
 * `pnpm bench:speedbump` — replays a synthetic trace of 100,000 messages over 1,000 channels
 * (10% of channels with PluralKit, 30% of their messages proxied) through `@guildkit/pk-speedbump`
 * on fake time, on the in-memory store and on SQLite, and through a model of the seed bridge's
 * speedbump (in-memory map, one timer per message, the update-in-window loss, holds lost on
 * restart) as the baseline. Both replays include one restart half-way. The wall-clock time of each
 * `handle()` of a message in a channel without PluralKit is measured next to a direct delivery of
 * the same message (the baseline: a relay without a speedbump). Prints a final JSON line.
 *
 * Flags: --messages (100000), --channels (1000), --seed (1).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import {
  type ChannelWebhook,
  createMemorySpeedbumpStore,
  createSpeedbump,
  type Delivery,
  type MessageCreateEvent,
  type MessageEvent,
  type PkMessage,
  PLURALKIT_APPLICATION_ID,
  type ProxyMemberStore,
  routingChannelId,
  type Scheduler,
  type Speedbump,
  type SpeedbumpStore,
} from "@guildkit/pk-speedbump";
import { createSqliteStore } from "@guildkit/store-sqlite";

const { values: flags } = parseArgs({
  args: process.argv.slice(2).filter((arg) => arg !== "--"),
  options: {
    messages: { type: "string", default: "100000" },
    channels: { type: "string", default: "1000" },
    seed: { type: "string", default: "1" },
  },
});
const MESSAGES = Number(flags.messages);
const CHANNELS = Number(flags.channels);
const SEED = Number(flags.seed);
const PK_CHANNEL_SHARE = 0.1;
const PROXIED_SHARE = 0.3;
const RATE_PER_SECOND = 100;
const DELAY_MS = 4_000;
const GUILD = "100000000000000000";

// ---- deterministic randomness -----------------------------------------------------------------

function mulberry32(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// ---- the trace -----------------------------------------------------------------------------------

interface TimedEvent {
  at: number;
  seq: number;
  event: MessageEvent;
}

/** What the sink must show at the end, and which originals PluralKit deleted. */
interface Truth {
  /** Messages that exist at the end → their final content. */
  finalContent: Map<string, string>;
  /** Original messages PluralKit proxied (relaying them is a duplicate). */
  proxiedOriginals: Set<string>;
  /** Messages per routing channel kind, for latency accounting. */
  pkChannelMessages: Set<string>;
  /** Proxied message id → PluralKit's record. */
  pk: Map<string, PkMessage>;
  /** Messages that were updated while they could be on hold (within DELAY_MS of their create). */
  updatedInWindow: number;
}

const channelId = (i: number) => (200_000_000_000_000_000n + BigInt(i)).toString();
const threadId = (i: number) => (210_000_000_000_000_000n + BigInt(i)).toString();
const webhookId = (i: number) => (300_000_000_000_000_000n + BigInt(i)).toString();
const userId = (i: number) => (400_000_000_000_000_000n + BigInt(i)).toString();

function buildTrace(seed: number, idBase: bigint, startMs: number) {
  const random = mulberry32(seed);
  const between = (lo: number, hi: number) => lo + Math.floor(random() * (hi - lo));
  let nextId = idBase;
  const id = () => (nextId++).toString();
  const events: TimedEvent[] = [];
  let seq = 0;
  const push = (at: number, event: MessageEvent) => events.push({ at, seq: seq++, event });
  const truth: Truth = {
    finalContent: new Map(),
    proxiedOriginals: new Set(),
    pkChannelMessages: new Set(),
    pk: new Map(),
    updatedInWindow: 0,
  };
  const isPkChannel = (c: number) => c % Math.round(1 / PK_CHANNEL_SHARE) === 0;
  const proxyUsers = 300;
  const users = 5_000;

  const create = (
    at: number,
    c: number,
    inThread: boolean,
    author: string,
    content: string,
    webhook?: { id: string; name: string },
  ): MessageCreateEvent => {
    const event: MessageCreateEvent = {
      type: "create",
      id: id(),
      channelId: inThread ? threadId(c) : channelId(c),
      parentId: inThread ? channelId(c) : null,
      guildId: GUILD,
      author: webhook
        ? { id: webhook.id, username: webhook.name, globalName: null, avatar: null, bot: true }
        : { id: author, username: `user${author.slice(-4)}`, globalName: null, avatar: null, bot: false },
      webhookId: webhook?.id ?? null,
      applicationId: webhook ? PLURALKIT_APPLICATION_ID : null,
      content,
      embeds: [],
      attachments: [],
      timestamp: null,
    };
    push(at, event);
    return event;
  };
  const place = (event: MessageCreateEvent) => ({
    channelId: event.channelId,
    parentId: event.parentId,
    guildId: GUILD,
  });

  let t = startMs;
  for (let n = 0; n < MESSAGES; n++) {
    t += -Math.log(1 - random()) * (1000 / RATE_PER_SECOND);
    const at = Math.round(t);
    const c = Math.floor(random() * CHANNELS);
    const pkChannel = isPkChannel(c);
    const inThread = random() < 0.1;
    const proxied = pkChannel && random() < PROXIED_SHARE;

    if (proxied) {
      const sender = userId(Math.floor(random() * proxyUsers));
      const member = `m${sender.slice(-3)}${Math.floor(random() * 3)}`;
      const original = create(at, c, inThread, sender, `${member}: message ${n}`);
      truth.proxiedOriginals.add(original.id);
      const proxyAt = at + between(150, 600);
      const proxiedMessage = create(proxyAt, c, inThread, sender, `message ${n}`, {
        id: webhookId(c),
        name: `${member} | sys`,
      });
      truth.pkChannelMessages.add(proxiedMessage.id);
      truth.pk.set(proxiedMessage.id, {
        id: proxiedMessage.id,
        original: original.id,
        sender,
        channel: proxiedMessage.channelId,
        guild: GUILD,
        system: {
          id: `s${sender.slice(-4)}`,
          uuid: `sys-${sender}`,
          name: "Sys",
          tag: "| sys",
          avatar_url: null,
        },
        member: {
          id: member,
          uuid: `uuid-${member}`,
          name: member,
          display_name: null,
          pronouns: random() < 0.5 ? "they/them" : null,
          avatar_url: null,
          webhook_avatar_url: null,
        },
      });
      // PluralKit deletes the original shortly after re-posting it (either order on the gateway).
      push(proxyAt + between(-100, 300), { type: "delete", id: original.id, ...place(original) });
      let content = proxiedMessage.content;
      if (random() < 0.03) {
        // pk;edit: the command is deleted, the proxied message is edited through the webhook.
        const editAt = proxyAt + between(2_000, 20_000);
        const command = create(editAt, c, inThread, sender, `pk;edit ${content} (edited)`);
        truth.proxiedOriginals.add(command.id);
        push(editAt + between(200, 800), { type: "delete", id: command.id, ...place(command) });
        content = `${content} (edited)`;
        push(editAt + between(300, 900), {
          type: "update",
          id: proxiedMessage.id,
          ...place(proxiedMessage),
          webhookId: proxiedMessage.webhookId,
          content,
        });
      }
      truth.finalContent.set(proxiedMessage.id, content);
      continue;
    }

    // A plain message: from anyone, sometimes a proxy user writing without proxy tags.
    const author =
      random() < 0.1
        ? userId(Math.floor(random() * proxyUsers))
        : userId(proxyUsers + Math.floor(random() * users));
    const message = create(at, c, inThread, author, `plain ${n}`);
    if (pkChannel) truth.pkChannelMessages.add(message.id);
    let content = message.content;
    let exists = true;
    if (random() < 0.05) {
      // A link-preview embed or a quick fix, often inside the speedbump window.
      const updateAt = at + between(200, 6_000);
      if (updateAt - at < DELAY_MS) truth.updatedInWindow++;
      content = `${content} (edited)`;
      push(updateAt, { type: "update", id: message.id, ...place(message), content });
    }
    if (random() < 0.02) {
      push(at + between(500, 60_000), { type: "delete", id: message.id, ...place(message) });
      exists = false;
    }
    if (exists) truth.finalContent.set(message.id, content);
  }
  events.sort((a, b) => a.at - b.at || a.seq - b.seq);
  return { events, truth, endMs: t + 120_000 };
}

// ---- fake time ---------------------------------------------------------------------------------

function createFakeTime(start: number) {
  let now = start;
  let nextHandle = 0;
  const heap: { at: number; id: number; fn: () => void }[] = [];
  const cancelled = new Set<number>();
  const less = (a: { at: number; id: number }, b: { at: number; id: number }) =>
    a.at < b.at || (a.at === b.at && a.id < b.id);
  const push = (item: (typeof heap)[number]) => {
    heap.push(item);
    let i = heap.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!less(heap[i]!, heap[p]!)) break;
      [heap[i], heap[p]] = [heap[p]!, heap[i]!];
      i = p;
    }
  };
  const pop = () => {
    const top = heap[0]!;
    const last = heap.pop()!;
    if (heap.length > 0) {
      heap[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < heap.length && less(heap[l]!, heap[m]!)) m = l;
        if (r < heap.length && less(heap[r]!, heap[m]!)) m = r;
        if (m === i) break;
        [heap[i], heap[m]] = [heap[m]!, heap[i]!];
        i = m;
      }
    }
    return top;
  };
  const scheduler: Scheduler = {
    setTimer(at, fn) {
      const id = ++nextHandle;
      push({ at: at.getTime(), id, fn });
      return id;
    },
    clear(handle) {
      cancelled.add(handle as number);
    },
  };
  return {
    clock: { now: () => new Date(now) },
    scheduler,
    now: () => now,
    /** Fires every timer due by `target` (in order), letting `settle` run after each. */
    async advanceTo(target: number, settle: () => Promise<void>) {
      while (heap.length > 0 && heap[0]!.at <= target) {
        const timer = pop();
        if (cancelled.delete(timer.id)) continue;
        now = Math.max(now, timer.at);
        timer.fn();
        await settle();
      }
      now = Math.max(now, target);
    },
    pending: () => heap.length - cancelled.size,
  };
}

// ---- the sink ------------------------------------------------------------------------------------

interface SinkReport {
  shown: Map<string, string>;
  createsById: Map<string, number>;
  /** Sim-time latency of each create: delivered − received. */
  latency: Map<string, number>;
}

function createSink(now: () => number, receivedAt: Map<string, number>) {
  const report: SinkReport = { shown: new Map(), createsById: new Map(), latency: new Map() };
  const deliver = async (delivery: Delivery) => {
    if (delivery.type === "create") {
      const id = delivery.message.id;
      report.createsById.set(id, (report.createsById.get(id) ?? 0) + 1);
      report.shown.set(id, delivery.message.content);
      report.latency.set(id, now() - (receivedAt.get(id) ?? now()));
    } else if (delivery.type === "update") {
      if (delivery.update.content !== undefined && report.shown.has(delivery.update.id)) {
        report.shown.set(delivery.update.id, delivery.update.content);
      }
    } else {
      report.shown.delete(delivery.messageId);
    }
  };
  return { report, deliver };
}

/** p50 and p99 of the samples (0 when there are none). */
function percentiles(samples: number[]) {
  const sorted = [...samples].sort((a, b) => a - b);
  const pct = (p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
  return { p50: pct(50), p99: pct(99), max: sorted.at(-1) ?? 0, samples: sorted.length };
}

/** Microseconds, one decimal. */
const us = (ms: number) => Math.round(ms * 10_000) / 10;

function score(truth: Truth, report: SinkReport) {
  let lost = 0;
  let stale = 0;
  for (const [id, content] of truth.finalContent) {
    const shown = report.shown.get(id);
    if (shown === undefined) lost++;
    else if (shown !== content) stale++;
  }
  let duplicatesRelayed = 0;
  let duplicatesVisible = 0;
  for (const id of truth.proxiedOriginals) {
    if (report.createsById.has(id)) duplicatesRelayed++;
    if (report.shown.has(id)) duplicatesVisible++;
  }
  let createdTwice = 0;
  for (const count of report.createsById.values()) if (count > 1) createdTwice++;
  const quiet: number[] = [];
  for (const [id, ms] of report.latency)
    if (!truth.pkChannelMessages.has(id) && !truth.proxiedOriginals.has(id)) quiet.push(ms);
  return {
    messagesLost: lost + stale,
    lostMissing: lost,
    lostStaleContent: stale,
    duplicatesRelayed,
    duplicatesVisible,
    deliveredTwice: createdTwice,
    /** Simulated time from receipt to delivery (holds): 0 means never held. */
    nonPkLatencyMs: percentiles(quiet),
  };
}

// ---- ports for the replay ------------------------------------------------------------------------

function pkPorts(truth: Truth, pkChannelOf: (channel: string) => number | null) {
  const byOriginal = new Map<string, PkMessage>();
  for (const message of truth.pk.values()) if (message.original) byOriginal.set(message.original, message);
  return {
    webhooks: {
      async list({ channelId: channel }: { channelId: string }): Promise<ChannelWebhook[]> {
        const c = pkChannelOf(channel);
        return c === null ? [] : [{ id: webhookId(c), applicationId: PLURALKIT_APPLICATION_ID }];
      },
    },
    lookup: {
      async getMessage({ id }: { id: string }) {
        return truth.pk.get(id) ?? byOriginal.get(id) ?? null;
      },
    },
  };
}

const pkChannelOf = (channel: string) => {
  const i = Number(BigInt(channel) - 200_000_000_000_000_000n);
  return i >= 0 && i < CHANNELS && i % Math.round(1 / PK_CHANNEL_SHARE) === 0 ? i : null;
};

type ReplayStore = SpeedbumpStore & ProxyMemberStore;

async function replayGuildkit(
  store: ReplayStore,
  trace: ReturnType<typeof buildTrace>,
  opts: { restartAt: number | null },
) {
  const time = createFakeTime(trace.events[0]?.at ?? 0);
  const receivedAt = new Map<string, number>();
  const sink = createSink(time.now, receivedAt);
  // The baseline relay without a speedbump: the same sink, called directly.
  const direct = createSink(time.now, new Map());
  const wall = { handle: [] as number[], direct: [] as number[], added: [] as number[] };
  const ports = pkPorts(trace.truth, pkChannelOf);
  const build = () =>
    createSpeedbump({
      store,
      members: store,
      webhooks: ports.webhooks,
      lookup: ports.lookup,
      clock: time.clock,
      scheduler: time.scheduler,
      deliver: sink.deliver,
      options: { delayMs: DELAY_MS },
    });
  let speedbump: Speedbump = build();
  await speedbump.start();
  const settle = () => speedbump.settled();
  let restarted = opts.restartAt === null;
  let events = 0;
  const started = performance.now();
  for (const { at, event } of trace.events) {
    if (!restarted && at >= opts.restartAt!) {
      restarted = true;
      await speedbump.stop();
      speedbump = build();
      await speedbump.start();
    }
    await time.advanceTo(at, settle);
    if (event.type === "create") receivedAt.set(event.id, time.now());
    if (event.type === "create" && pkChannelOf(routingChannelId(event)) === null) {
      // Wall-clock time of handle() for a message in a channel without PluralKit, paired with a
      // direct delivery of the same message (alternating which goes first).
      const delivery: Delivery = {
        type: "create",
        message: event,
        author: { kind: "user", user: event.author },
        heldMs: 0,
      };
      let handleMs = 0;
      let directMs = 0;
      for (const first of events % 2 === 0 ? ["direct", "handle"] : ["handle", "direct"]) {
        const started = performance.now();
        if (first === "direct") await direct.deliver(delivery);
        else await speedbump.handle(event);
        const took = performance.now() - started;
        if (first === "direct") directMs = took;
        else handleMs = took;
      }
      wall.handle.push(handleMs);
      wall.direct.push(directMs);
      wall.added.push(handleMs - directMs);
    } else {
      await speedbump.handle(event);
    }
    events++;
  }
  await time.advanceTo(trace.endMs, settle);
  await speedbump.settled();
  const wallMs = performance.now() - started;
  const stats = speedbump.stats();
  await speedbump.stop();
  return { sink: sink.report, events, wallMs, stats, wall };
}

/** A cold replay (learning channels and proxy users) then a warm one with a restart half-way. */
async function replayOnStore(
  store: ReplayStore,
  cold: ReturnType<typeof buildTrace>,
  warm: ReturnType<typeof buildTrace>,
  restartAt: number,
) {
  const coldRun = await replayGuildkit(store, cold, { restartAt: null });
  const warmRun = await replayGuildkit(store, warm, { restartAt });
  const wall = warmRun.wall;
  return {
    coldRun,
    warmRun,
    coldScore: score(cold.truth, coldRun.sink),
    warmScore: score(warm.truth, warmRun.sink),
    eventsPerSecond: Math.round(warmRun.events / (warmRun.wallMs / 1000)),
    coldEventsPerSecond: Math.round(coldRun.events / (coldRun.wallMs / 1000)),
    /** Wall-clock µs per non-PluralKit create: added by the speedbump, handle() itself, direct delivery. */
    wallUs: {
      added: micro(percentiles(wall.added)),
      handle: micro(percentiles(wall.handle)),
      direct: micro(percentiles(wall.direct)),
    },
  };
}

function micro(p: ReturnType<typeof percentiles>) {
  return { p50: us(p.p50), p99: us(p.p99), max: us(p.max), samples: p.samples };
}

// ---- the baseline: the seed bridge's speedbump, as prior-art §4 describes it ----------------------

/** What the seed bridge persists (its channel_room columns and who it saw proxying). */
interface BaselineState {
  speedbumpWebhook: Map<string, string | null>;
  checkedAt: Map<string, number>;
  knownProxyUsers: Set<string>;
}

function createBaselineState(): BaselineState {
  return { speedbumpWebhook: new Map(), checkedAt: new Map(), knownProxyUsers: new Set() };
}

async function replayBaseline(
  trace: ReturnType<typeof buildTrace>,
  state: BaselineState,
  opts: { restartAt: number | null },
) {
  const time = createFakeTime(trace.events[0]?.at ?? 0);
  const receivedAt = new Map<string, number>();
  const sink = createSink(time.now, receivedAt);
  const ports = pkPorts(trace.truth, pkChannelOf);
  const { speedbumpWebhook, checkedAt, knownProxyUsers } = state;
  // In memory only: message id → pending count (one timer each).
  let bumping = new Map<string, number>();
  let timers = new Set<number>();

  const bump = (id: string, then: (deleted: boolean) => Promise<void>) => {
    bumping.set(id, (bumping.get(id) ?? 0) + 1);
    const generation = bumping;
    const handle = time.scheduler.setTimer(new Date(time.now() + DELAY_MS), () => {
      timers.delete(handle as number);
      if (generation !== bumping) return; // lost in the restart
      if (!bumping.has(id)) {
        void then(true);
        return;
      }
      const count = (bumping.get(id) ?? 1) - 1;
      if (count <= 0) bumping.delete(id);
      else bumping.set(id, count);
      void then(false);
    }) as number;
    timers.add(handle);
  };

  let restarted = opts.restartAt === null;
  const started = performance.now();
  const noop = async () => {};
  for (const { at, event } of trace.events) {
    if (!restarted && at >= opts.restartAt!) {
      restarted = true;
      bumping = new Map();
      timers = new Set();
    }
    await time.advanceTo(at, noop);
    const channel = event.parentId ?? event.channelId;
    if (event.type === "create") {
      receivedAt.set(event.id, time.now());
      if (event.webhookId) {
        const proxied = await ports.lookup.getMessage({ id: event.id });
        if (proxied) knownProxyUsers.add(proxied.sender);
        await sink.deliver({
          type: "create",
          message: event,
          author: { kind: "user", user: event.author },
          heldMs: 0,
        });
        continue;
      }
      if (speedbumpWebhook.get(channel) && knownProxyUsers.has(event.author.id)) {
        bump(event.id, async (deleted) => {
          if (!deleted) {
            await sink.deliver({
              type: "create",
              message: event,
              author: { kind: "user", user: event.author },
              heldMs: 0,
            });
          }
        });
      } else {
        await sink.deliver({
          type: "create",
          message: event,
          author: { kind: "user", user: event.author },
          heldMs: 0,
        });
      }
    } else if (event.type === "update") {
      if (bumping.has(event.id)) {
        // The defect: the update waits for a create it makes drop; the message is never bridged.
        bumping.delete(event.id);
        continue;
      }
      await sink.deliver({ type: "update", update: event });
    } else {
      const ids = event.type === "delete" ? [event.id] : event.ids;
      for (const id of ids) {
        if (bumping.has(id)) bumping.delete(id);
        else
          await sink.deliver({
            type: "delete",
            messageId: id,
            channelId: event.channelId,
            parentId: event.parentId,
            guildId: event.guildId,
          });
      }
      const last = checkedAt.get(channel);
      if (last === undefined || time.now() - last >= 7_200_000) {
        checkedAt.set(channel, time.now());
        const list = await ports.webhooks.list({ channelId: channel });
        speedbumpWebhook.set(
          channel,
          list.find((w) => w.applicationId === PLURALKIT_APPLICATION_ID)?.id ?? null,
        );
      }
    }
  }
  await time.advanceTo(trace.endMs, noop);
  return { sink: sink.report, wallMs: performance.now() - started };
}

// ---- memory per pending hold ---------------------------------------------------------------------

function gc() {
  const collect = (globalThis as { gc?: () => void }).gc;
  if (!collect) return false;
  collect();
  collect();
  return true;
}

async function memoryPerHold(count: number) {
  const time = createFakeTime(Date.parse("2026-01-01T00:00:00Z"));
  const channel = channelId(0);
  const state = {
    channelId: channel,
    proxyApplicationId: PLURALKIT_APPLICATION_ID,
    webhookId: webhookId(0),
    checkedAt: new Date(time.now()),
  };
  const nullStore: SpeedbumpStore = {
    getChannel: async () => state,
    listActiveChannels: async () => [state],
    saveChannel: async () => {},
    isProxyUser: async () => true,
    saveProxyUser: async () => {},
    saveHold: async () => {},
    deleteHold: async () => {},
    listHolds: async () => [],
    saveUnresolved: async () => {},
    listUnresolved: async () => [],
    nextUnresolvedAt: async () => null,
    deleteUnresolved: async () => {},
  };
  const speedbump = createSpeedbump({
    store: nullStore,
    webhooks: { list: async () => [] },
    lookup: { getMessage: async () => null },
    clock: time.clock,
    scheduler: time.scheduler,
    deliver: async () => {},
    options: { delayMs: DELAY_MS },
  });
  await speedbump.start();
  const make = (i: number): MessageCreateEvent => ({
    type: "create",
    id: (600_000_000_000_000_000n + BigInt(i)).toString(),
    channelId: channel,
    parentId: null,
    guildId: GUILD,
    author: { id: userId(i % 500), username: `user${i % 500}`, globalName: null, avatar: null, bot: false },
    webhookId: null,
    applicationId: null,
    content: `a: message number ${i} with some ordinary length text`,
    embeds: [],
    attachments: [],
    timestamp: null,
  });
  // Events are built first so only what the speedbump keeps is counted.
  const events = Array.from({ length: count }, (_, i) => make(i));
  const messageBytes = await measure(async () => {
    const copy = events.map((e) => ({ ...e, author: { ...e.author } }));
    return copy;
  });
  // Baseline first (so nothing of the speedbump's can be collected while it is measured): the
  // bridge keeps a map entry and one timer (with the event in its closure) per hold.
  gc();
  const baseBefore = process.memoryUsage().heapUsed;
  const bumping = new Map<string, number>();
  const timers: NodeJS.Timeout[] = [];
  for (const event of events) {
    bumping.set(event.id, 1);
    timers.push(
      setTimeout(() => {
        if (bumping.has(event.id)) void event;
      }, 3_600_000),
    );
  }
  gc();
  const baseAfter = process.memoryUsage().heapUsed;
  for (const timer of timers) clearTimeout(timer);

  gc();
  const before = process.memoryUsage().heapUsed;
  for (const event of events) await speedbump.handle(event);
  await new Promise((resolve) => setImmediate(resolve));
  gc();
  const after = process.memoryUsage().heapUsed;
  const pending = speedbump.stats().pendingHolds;
  const guildkitPerHold = (after - before) / pending;
  await speedbump.stop();

  return {
    guildkitBytes: Math.round(guildkitPerHold),
    baselineBytes: Math.round((baseAfter - baseBefore) / count),
    messageBytes: Math.round(messageBytes / count),
    gcExposed: gc(),
    holds: pending,
  };
}

async function measure(build: () => Promise<unknown>): Promise<number> {
  gc();
  const before = process.memoryUsage().heapUsed;
  const kept = await build();
  gc();
  const after = process.memoryUsage().heapUsed;
  void kept;
  return after - before;
}

// ---- main ----------------------------------------------------------------------------------------

async function main() {
  const started = Date.parse("2026-11-23T12:00:00Z");
  // Cold: an empty store; PluralKit channels and proxy users are learnt on the way.
  const cold = buildTrace(SEED, 500_000_000_000_000_000n, started);
  // Warm: the same store (a relay that has been running), a new trace, one restart half-way.
  const warm = buildTrace(SEED + 1, 700_000_000_000_000_000n, cold.endMs + 60_000);
  const restartAt = warm.events[Math.floor(warm.events.length / 2)]!.at;

  const inMemory = await replayOnStore(createMemorySpeedbumpStore(), cold, warm, restartAt);
  const dir = mkdtempSync(join(tmpdir(), "guildkit-bench-speedbump-"));
  const sqliteStore = createSqliteStore({ filename: join(dir, "db.sqlite") });
  await sqliteStore.migrate();
  const onSqlite = await replayOnStore(sqliteStore.speedbump, cold, warm, restartAt);
  await sqliteStore.close();
  rmSync(dir, { recursive: true, force: true });
  const { warmScore, coldScore, warmRun } = inMemory;

  // The baseline replays the same two traces with its own persisted state carried over.
  const baselineState = createBaselineState();
  const baselineCold = score(
    cold.truth,
    (await replayBaseline(cold, baselineState, { restartAt: null })).sink,
  );
  const baselineRun = await replayBaseline(warm, baselineState, { restartAt });
  const baselineScore = score(warm.truth, baselineRun.sink);

  const memory = await memoryPerHold(50_000);

  const perStore = (run: typeof inMemory) => ({
    warm: { ...run.warmScore, eventsPerSecond: run.eventsPerSecond, stats: run.warmRun.stats },
    cold: { ...run.coldScore, eventsPerSecond: run.coldEventsPerSecond },
    wallUsPerNonPkCreate: run.wallUs,
  });
  const detail = {
    trace: {
      messages: MESSAGES,
      channels: CHANNELS,
      pluralkitChannels: Math.ceil(CHANNELS * PK_CHANNEL_SHARE),
      proxiedShare: PROXIED_SHARE,
      events: warmRun.events,
      updatedInWindow: warm.truth.updatedInWindow,
      restartAt: "half-way through the warm replay",
    },
    guildkit: { memory: perStore(inMemory), sqlite: perStore(onSqlite) },
    baseline: {
      warm: baselineScore,
      cold: baselineCold,
      note: "model of the seed bridge's speedbump (prior-art §4)",
    },
    memory,
  };
  console.error(JSON.stringify(detail, null, 2));
  const line = (label: string, ours: unknown, base: unknown) =>
    console.log(
      `${label.padEnd(48)} guildkit ${String(ours).padStart(9)}   seed bridge ${String(base).padStart(8)}`,
    );
  console.log(
    `speedbump: ${MESSAGES} messages, ${CHANNELS} channels, ${warmRun.events} events (warm replay, one restart)`,
  );
  line(
    "time held, non-PluralKit channels (max ms)",
    warmScore.nonPkLatencyMs.max,
    baselineScore.nonPkLatencyMs.max,
  );
  line("duplicates relayed (warm)", warmScore.duplicatesRelayed, baselineScore.duplicatesRelayed);
  line("duplicates relayed (cold store)", coldScore.duplicatesRelayed, baselineCold.duplicatesRelayed);
  line("messages lost (warm, with a restart)", warmScore.messagesLost, baselineScore.messagesLost);
  line("memory per pending hold (bytes)", memory.guildkitBytes, memory.baselineBytes);
  console.log(
    `duplicates / lost on SQLite (warm): ${onSqlite.warmScore.duplicatesRelayed} / ${onSqlite.warmScore.messagesLost}`,
  );
  console.log(
    `events per second (fake time): in memory ${inMemory.eventsPerSecond}, SQLite ${onSqlite.eventsPerSecond}`,
  );
  const wallLine = (label: string, run: typeof inMemory) =>
    console.log(
      `added wall-clock latency per non-PluralKit create, ${label.padEnd(9)} p50 ${run.wallUs.added.p50} µs, p99 ${run.wallUs.added.p99} µs (handle() p50 ${run.wallUs.handle.p50} / p99 ${run.wallUs.handle.p99} µs; direct delivery p50 ${run.wallUs.direct.p50} / p99 ${run.wallUs.direct.p99} µs)`,
    );
  wallLine("in memory", inMemory);
  wallLine("SQLite", onSqlite);

  const pair = (p: { p50: number; p99: number }) => ({ p50: p.p50, p99: p.p99 });
  const summary = {
    bench: "speedbump",
    messages: MESSAGES,
    channels: CHANNELS,
    addedLatencyNonPkMs: warmScore.nonPkLatencyMs.max,
    addedLatencyNonPkWallUs: { memory: pair(inMemory.wallUs.added), sqlite: pair(onSqlite.wallUs.added) },
    duplicatesRelayed: warmScore.duplicatesRelayed,
    messagesLost: warmScore.messagesLost,
    eventsPerSecond: inMemory.eventsPerSecond,
    memoryPerPendingHoldBytes: memory.guildkitBytes,
    cold: {
      duplicatesRelayed: coldScore.duplicatesRelayed,
      duplicatesVisible: coldScore.duplicatesVisible,
      messagesLost: coldScore.messagesLost,
      addedLatencyNonPkMs: coldScore.nonPkLatencyMs.max,
    },
    sqlite: {
      duplicatesRelayed: onSqlite.warmScore.duplicatesRelayed,
      messagesLost: onSqlite.warmScore.messagesLost,
      eventsPerSecond: onSqlite.eventsPerSecond,
      handleNonPkWallUs: pair(onSqlite.wallUs.handle),
    },
    baseline: {
      addedLatencyNonPkMs: baselineScore.nonPkLatencyMs.max,
      directDeliveryWallUs: { memory: pair(inMemory.wallUs.direct), sqlite: pair(onSqlite.wallUs.direct) },
      duplicatesRelayed: baselineScore.duplicatesRelayed,
      messagesLost: baselineScore.messagesLost,
      memoryPerPendingHoldBytes: memory.baselineBytes,
      coldDuplicatesRelayed: baselineCold.duplicatesRelayed,
      coldMessagesLost: baselineCold.messagesLost,
    },
    gcExposed: memory.gcExposed,
  };
  console.log(JSON.stringify(summary));
}

await main();
