import type { MessageCreateEvent } from "../events";
import { createHoldQueue } from "../hold-queue";
import { createLru } from "../lru";
import type { PendingHold, TimerHandle } from "../ports";
import type { ProxyKnowledge } from "./proxy-lookup";
import { describeError, type SpeedbumpRuntime } from "./runtime";
import type { DropReason, SpeedbumpDecision } from "./types";

/** A hold in memory. */
export interface Hold extends PendingHold {
  /** Loaded from the store on start: its delete may have been missed while down. */
  recovered: boolean;
  /** Failed deliveries so far. */
  attempts: number;
}

/**
 * The pending holds: a delay queue with one timer for the earliest, the holds whose release waits in
 * their channel's line, the messages dropped lately (so a late event of one is dropped too), and the
 * store writes that make holds survive a restart.
 */
export interface Holds {
  /** A hold queued or being released. */
  find(messageId: string): Hold | undefined;
  /** Whether the message was dropped lately. */
  wasDropped(messageId: string): boolean;
  /** Holds a create until `dueAt`, persisted. */
  hold(message: MessageCreateEvent, channelId: string, heldAt: Date, dueAt: Date): Promise<void>;
  /** Replaces a held message (an update during the hold), keeping its due time; persisted. */
  replace(hold: Hold, message: MessageCreateEvent): Promise<void>;
  /** Drops a hold (deleted, or proxied); null when the message is not held. */
  drop(messageId: string, reason: DropReason): Promise<SpeedbumpDecision | null>;
  /** Queues holds loaded from the store (those already known are skipped) and arms the timer. */
  recover(holds: PendingHold[]): void;
  /** Resolves once no message is on hold. */
  released(): Promise<void>;
  /** Clears the timer (holds stay persisted). */
  stop(): void;
  readonly size: number;
}

const RELEASE_RETRY_CAP_MS = 60_000;
const DROPPED_MEMORY = 20_000;

function toPendingHold(hold: Hold): PendingHold {
  return {
    messageId: hold.messageId,
    channelId: hold.channelId,
    heldAt: hold.heldAt,
    dueAt: hold.dueAt,
    message: hold.message,
  };
}

/** Creates the holds of one speedbump. */
export function createHolds(runtime: SpeedbumpRuntime, proxy: ProxyKnowledge): Holds {
  const { store, scheduler } = runtime.deps;
  const { options, counters } = runtime;
  const queue = createHoldQueue<Hold>();
  /** Holds taken off the queue whose release is waiting in their channel's line. */
  const releasing = new Map<string, Hold>();
  const dropped = createLru<string, true>(DROPPED_MEMORY);
  let waiters: (() => void)[] = [];
  let timer: TimerHandle | null = null;
  let timerAt: number | null = null;

  function wakeIfEmpty(): void {
    if (waiters.length === 0 || queue.size + releasing.size > 0) return;
    const woken = waiters;
    waiters = [];
    for (const wake of woken) wake();
  }

  function arm(): void {
    if (runtime.stopped) return;
    const next = queue.nextDueAt();
    const at = next?.getTime() ?? null;
    if (at === timerAt) return;
    if (timer !== null) scheduler.clear(timer);
    timer = null;
    timerAt = at;
    if (next) timer = scheduler.setTimer(next, onTimer);
  }

  function onTimer(): void {
    timer = null;
    timerAt = null;
    if (runtime.stopped) return;
    for (const hold of queue.takeDue(runtime.now())) {
      releasing.set(hold.messageId, hold);
      runtime.track(runtime.lines.run(hold.channelId, () => release(hold.messageId)));
    }
    arm();
  }

  async function persist(hold: Hold): Promise<void> {
    try {
      await store.saveHold(toPendingHold(hold));
    } catch (error) {
      runtime.storeFailed("saveHold", error, { messageId: hold.messageId });
    }
  }

  async function forget(messageId: string): Promise<void> {
    try {
      await store.deleteHold({ messageId });
    } catch (error) {
      runtime.storeFailed("deleteHold", error, { messageId });
    }
  }

  function remove(messageId: string): Hold | undefined {
    const fromQueue = queue.remove(messageId);
    if (fromQueue) {
      arm();
      return fromQueue;
    }
    const hold = releasing.get(messageId);
    releasing.delete(messageId);
    return hold;
  }

  async function retryLater(hold: Hold, error: unknown): Promise<void> {
    const attempts = hold.attempts + 1;
    const delay = Math.min(options.deliveryRetryMs * 2 ** (attempts - 1), RELEASE_RETRY_CAP_MS);
    const retry: Hold = { ...hold, attempts, dueAt: new Date(runtime.now().getTime() + delay) };
    queue.add(retry);
    arm();
    await persist(retry);
    runtime.log({
      kind: "speedbump.deliver_failed",
      level: "warn",
      message: `delivering held message ${hold.messageId} failed (${describeError(error)}); retrying in ${delay} ms`,
      discordUserId: hold.message.author.id,
      data: { messageId: hold.messageId, channelId: hold.channelId, attempts },
    });
  }

  /** A recovered hold PluralKit proxied while the relay was down: dropped. */
  async function proxiedWhileDown(messageId: string): Promise<boolean> {
    const result = await proxy.lookup(messageId);
    if (!result.ok || !result.message) return false;
    releasing.delete(messageId);
    dropped.set(messageId, true);
    counters.dropped++;
    await forget(messageId);
    await proxy.rememberProxyUser(result.message.sender);
    wakeIfEmpty();
    return true;
  }

  async function release(messageId: string): Promise<void> {
    const hold = releasing.get(messageId);
    if (!hold || runtime.stopped) return;
    if (hold.recovered && options.verifyRecoveredHolds && (await proxiedWhileDown(messageId))) return;
    try {
      await runtime.send({
        type: "create",
        message: hold.message,
        author: { kind: "user", user: hold.message.author },
        heldMs: Math.max(0, runtime.now().getTime() - hold.heldAt.getTime()),
      });
    } catch (error) {
      releasing.delete(messageId);
      await retryLater(hold, error);
      return;
    }
    releasing.delete(messageId);
    await forget(messageId);
    wakeIfEmpty();
  }

  return {
    find: (messageId) => queue.get(messageId) ?? releasing.get(messageId),
    wasDropped: (messageId) => dropped.has(messageId),
    async hold(message, channelId, heldAt, dueAt) {
      const hold: Hold = {
        messageId: message.id,
        channelId,
        heldAt,
        dueAt,
        message,
        recovered: false,
        attempts: 0,
      };
      queue.add(hold);
      counters.held++;
      arm();
      await persist(hold);
    },
    async replace(hold, message) {
      const next: Hold = { ...hold, message };
      if (releasing.has(hold.messageId)) releasing.set(hold.messageId, next);
      else queue.replace(next);
      await persist(next);
    },
    async drop(messageId, reason) {
      const hold = remove(messageId);
      if (!hold) return null;
      dropped.set(messageId, true);
      counters.dropped++;
      await forget(messageId);
      wakeIfEmpty();
      return { action: "drop", messageId, reason };
    },
    recover(holds) {
      for (const hold of holds) {
        if (!queue.get(hold.messageId) && !releasing.get(hold.messageId))
          queue.add({ ...hold, recovered: true, attempts: 0 });
      }
      arm();
    },
    released() {
      if (queue.size + releasing.size === 0) return Promise.resolve();
      return new Promise((resolve) => waiters.push(resolve));
    },
    stop() {
      if (timer !== null) scheduler.clear(timer);
      timer = null;
    },
    get size() {
      return queue.size + releasing.size;
    },
  };
}
