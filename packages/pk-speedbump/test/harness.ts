import { vi } from "vitest";
import { PLURALKIT_APPLICATION_ID } from "../src/channel-state";
import type { Delivery } from "../src/delivery";
import type { MessageCreateEvent, MessageEvent, MessageUpdateEvent } from "../src/events";
import { createMemorySpeedbumpStore, type MemorySpeedbumpStore } from "../src/memory-store";
import type { SpeedbumpOptions } from "../src/options";
import type { ChannelWebhook, EventLogEntry, PkMessage } from "../src/ports";
import { createSpeedbump, type ResolvedIdentity, type Speedbump } from "../src/speedbump";
import { createFakeTime, type FakeTime } from "./fake-time";

export const GUILD = "100000000000000001";
export const CHANNEL = "200000000000000001";
export const QUIET_CHANNEL = "200000000000000002";
export const THREAD = "210000000000000001";
export const PK_WEBHOOK = "300000000000000001";
export const PK_WEBHOOK_2 = "300000000000000002";
export const OTHER_WEBHOOK = "300000000000000009";
export const ALICE = "400000000000000001";
export const BOB = "400000000000000002";

export class FakeApiError extends Error {
  override name = "FakeApiError";
  constructor(
    readonly status: number,
    readonly retryable: boolean,
    readonly retryAfterMs: number | null = null,
  ) {
    super(`fake API error ${status}`);
  }
}

/** A fake PluralKit: proxied messages by id (and by original id), or down. */
export function createFakePluralKit() {
  const messages = new Map<string, PkMessage>();
  const state = { down: false };
  const lookup = {
    getMessage: vi.fn(async ({ id }: { id: string; signal?: AbortSignal }) => {
      if (state.down) throw new FakeApiError(503, true);
      return messages.get(id) ?? null;
    }),
  };
  function proxied(opts: {
    id: string;
    original: string;
    sender: string;
    channel?: string;
    memberId?: string;
    name?: string;
    pronouns?: string | null;
  }): PkMessage {
    const memberId = opts.memberId ?? "abcde";
    const message: PkMessage = {
      id: opts.id,
      original: opts.original,
      sender: opts.sender,
      channel: opts.channel ?? CHANNEL,
      guild: GUILD,
      system: { id: "sysxy", uuid: "sys-uuid-1", name: "The System", tag: "| sys", avatar_url: null },
      member: {
        id: memberId,
        uuid: `uuid-${memberId}`,
        name: opts.name ?? "Alice",
        display_name: null,
        pronouns: opts.pronouns === undefined ? "she/her" : opts.pronouns,
        avatar_url: "https://example.org/alice.png",
        webhook_avatar_url: null,
      },
    };
    messages.set(message.id, message);
    messages.set(message.original!, message);
    return message;
  }
  return { lookup, messages, state, proxied };
}

export interface Harness {
  time: FakeTime;
  store: MemorySpeedbumpStore;
  pk: ReturnType<typeof createFakePluralKit>;
  webhooksByChannel: Map<string, ChannelWebhook[]>;
  webhooks: { list: ReturnType<typeof vi.fn> };
  delivered: Delivery[];
  logs: EventLogEntry[];
  resolved: ResolvedIdentity[];
  /** `fail` next deliveries throw; while `gate` is set, deliveries wait for it. */
  sink: { fail: number; gate: Promise<void> | null };
  speedbump: Speedbump;
  /** A new speedbump over the same store, webhooks, PluralKit and time (a restart). */
  restart(): Promise<Speedbump>;
  send(event: MessageEvent): Promise<unknown>;
  advance(ms: number): Promise<void>;
}

export function setup(options: SpeedbumpOptions = {}, time = createFakeTime()): Harness {
  const store = createMemorySpeedbumpStore();
  const pk = createFakePluralKit();
  const webhooksByChannel = new Map<string, ChannelWebhook[]>();
  const webhookFailure: { error: Error | null } = { error: null };
  const webhooks = {
    list: vi.fn(async ({ channelId }: { channelId: string }) => {
      if (webhookFailure.error) throw webhookFailure.error;
      return webhooksByChannel.get(channelId) ?? [];
    }),
  };
  const delivered: Delivery[] = [];
  const logs: EventLogEntry[] = [];
  const resolved: ResolvedIdentity[] = [];
  const sink: Harness["sink"] = { fail: 0, gate: null };
  const build = () =>
    createSpeedbump({
      store,
      members: store,
      webhooks,
      lookup: pk.lookup,
      clock: time.clock,
      scheduler: time.scheduler,
      deliver: async (delivery) => {
        if (sink.gate) await sink.gate;
        if (sink.fail > 0) {
          sink.fail--;
          throw new Error("sink down");
        }
        delivered.push(delivery);
      },
      eventLog: { append: async (entry) => void logs.push(entry) },
      onIdentityResolved: (r) => void resolved.push(r),
      options,
    });
  const harness: Harness = {
    time,
    store,
    pk,
    webhooksByChannel,
    webhooks: Object.assign(webhooks, { failure: webhookFailure }),
    delivered,
    logs,
    resolved,
    sink,
    speedbump: build(),
    async restart() {
      await harness.speedbump.stop();
      harness.speedbump = build();
      return harness.speedbump;
    },
    async send(event) {
      const result = await harness.speedbump.handle(event);
      await harness.speedbump.settled();
      return result;
    },
    advance: (ms) => time.advance(ms, () => harness.speedbump.settled()),
  };
  return harness;
}

let seq = 500000000000000000n;
export function nextId(): string {
  seq += 1n;
  return seq.toString();
}

export function userMessage(opts: {
  id?: string;
  author?: string;
  content?: string;
  channelId?: string;
  parentId?: string | null;
}): MessageCreateEvent {
  const author = opts.author ?? ALICE;
  return {
    type: "create",
    id: opts.id ?? nextId(),
    channelId: opts.channelId ?? CHANNEL,
    parentId: opts.parentId ?? null,
    guildId: GUILD,
    author: {
      id: author,
      username: author === ALICE ? "alice" : "bob",
      globalName: null,
      avatar: null,
      bot: false,
    },
    webhookId: null,
    applicationId: null,
    content: opts.content ?? "hello",
    embeds: [],
    attachments: [],
    timestamp: null,
  };
}

export function webhookMessage(opts: {
  id?: string;
  webhookId?: string;
  applicationId?: string | null;
  username?: string;
  content?: string;
  channelId?: string;
  parentId?: string | null;
}): MessageCreateEvent {
  const webhookId = opts.webhookId ?? PK_WEBHOOK;
  return {
    type: "create",
    id: opts.id ?? nextId(),
    channelId: opts.channelId ?? CHANNEL,
    parentId: opts.parentId ?? null,
    guildId: GUILD,
    author: {
      id: webhookId,
      username: opts.username ?? "Alice | sys",
      globalName: null,
      avatar: "abc123",
      bot: true,
    },
    webhookId,
    applicationId: opts.applicationId === undefined ? PLURALKIT_APPLICATION_ID : opts.applicationId,
    content: opts.content ?? "hello",
    embeds: [],
    attachments: [],
    timestamp: null,
  };
}

export function update(id: string, patch: Partial<MessageUpdateEvent> = {}): MessageUpdateEvent {
  return { type: "update", id, channelId: CHANNEL, parentId: null, guildId: GUILD, ...patch };
}

export function del(id: string, channelId = CHANNEL, parentId: string | null = null): MessageEvent {
  return { type: "delete", id, channelId, parentId, guildId: GUILD };
}

/** Puts PluralKit's webhook in `CHANNEL` and runs one delete so the speedbump reads it. */
export async function enableSpeedbump(h: Harness, channelId = CHANNEL, webhookId = PK_WEBHOOK) {
  h.webhooksByChannel.set(channelId, [
    { id: OTHER_WEBHOOK, applicationId: null },
    { id: webhookId, applicationId: PLURALKIT_APPLICATION_ID },
  ]);
  await h.send(del(nextId(), channelId));
  h.delivered.length = 0;
}

export const creates = (h: Harness) => h.delivered.filter((d) => d.type === "create");

/** A promise to open later: `gate.wait` stays pending until `gate.open()`. */
export function createGate() {
  let open: () => void = () => {};
  const wait = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { wait, open };
}
