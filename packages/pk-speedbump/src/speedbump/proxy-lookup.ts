import { retryAfterMsOf } from "@guildkit/core";
import { ProxyLookupTimeoutError } from "../errors";
import { type PluralKitIdentity, toMemberRecord } from "../identity";
import { createLru } from "../lru";
import type { PkMessage } from "../ports";
import { describeError, type SpeedbumpRuntime, statusOf } from "./runtime";

/** A PluralKit lookup's outcome: the message (null when PluralKit does not know it), or the failure. */
export type LookupResult = { ok: true; message: PkMessage | null } | { ok: false; error: unknown };

/** PluralKit lookups and what is learnt from them: who proxies, which members were seen where. */
export interface ProxyKnowledge {
  /**
   * Looks a message up on PluralKit within `lookupTimeoutMs`; after a failure, lookups pause for
   * `lookupCooldownMs` (or the error's `retryAfterMs`) and answer with a failure at once.
   */
  lookup(id: string): Promise<LookupResult>;
  /** No lookup is tried before this time (ms since the epoch). */
  readonly blockedUntil: number;
  /** Whether the user was seen as the sender of a proxied message (cached; a store failure says no). */
  isProxyUser(userId: string): Promise<boolean>;
  /** Records a user seen as the sender of a proxied message. */
  rememberProxyUser(userId: string | null): Promise<void>;
  /** Records what PluralKit's answer tells: the sender proxies, the member was seen in the guild. */
  learn(message: PkMessage | null, identity: PluralKitIdentity, guildId: string | null): Promise<void>;
}

/** Creates the PluralKit lookups of one speedbump. */
export function createProxyKnowledge(runtime: SpeedbumpRuntime): ProxyKnowledge {
  const { store, lookup, scheduler } = runtime.deps;
  const members = runtime.deps.members ?? null;
  const { options, counters } = runtime;
  const proxyUsers = createLru<string, boolean>(options.userCacheSize);
  let blockedUntil = 0;

  /** Looks a message up, giving up (and aborting the lookup) after `lookupTimeoutMs`. */
  function lookupWithDeadline(id: string): Promise<PkMessage | null> {
    const controller = new AbortController();
    return new Promise((resolve, reject) => {
      const deadline = scheduler.setTimer(new Date(runtime.now().getTime() + options.lookupTimeoutMs), () => {
        const error = new ProxyLookupTimeoutError(options.lookupTimeoutMs);
        controller.abort(error);
        reject(error);
      });
      lookup.getMessage({ id, signal: controller.signal }).then(
        (message) => {
          scheduler.clear(deadline);
          resolve(message);
        },
        (error: unknown) => {
          scheduler.clear(deadline);
          reject(error);
        },
      );
    });
  }

  async function lookupMessage(id: string): Promise<LookupResult> {
    const at = runtime.now().getTime();
    if (at < blockedUntil) return { ok: false, error: new Error("PluralKit lookups paused") };
    counters.lookups++;
    try {
      return { ok: true, message: await lookupWithDeadline(id) };
    } catch (error) {
      counters.lookupFailures++;
      const wait = Math.max(options.lookupCooldownMs, retryAfterMsOf(error) ?? 0);
      const wasOpen = blockedUntil <= at;
      blockedUntil = at + wait;
      if (wasOpen) {
        runtime.log({
          kind: "pluralkit.lookup_failed",
          level: "warn",
          message: `PluralKit lookup failed (${describeError(error)}); using webhook profiles for ${wait} ms`,
          data: { messageId: id, status: statusOf(error) },
        });
      }
      return { ok: false, error };
    }
  }

  async function isProxyUser(userId: string): Promise<boolean> {
    const cached = proxyUsers.get(userId);
    if (cached !== undefined) return cached;
    let known = false;
    try {
      known = await store.isProxyUser({ userId });
    } catch (error) {
      runtime.storeFailed("isProxyUser", error);
    }
    proxyUsers.set(userId, known);
    return known;
  }

  async function rememberProxyUser(userId: string | null): Promise<void> {
    if (!userId || proxyUsers.get(userId) === true) return;
    proxyUsers.set(userId, true);
    try {
      await store.saveProxyUser({ userId, seenAt: runtime.now() });
    } catch (error) {
      runtime.storeFailed("saveProxyUser", error);
    }
  }

  async function learn(message: PkMessage | null, identity: PluralKitIdentity, guildId: string | null) {
    if (!message) return;
    await rememberProxyUser(message.sender || null);
    const record = toMemberRecord(identity);
    const guild = guildId ?? message.guild;
    if (!members || !record || !guild || !message.sender) return;
    try {
      await members.recordMemberSeen({
        member: record,
        guildId: guild,
        senderUserId: message.sender,
        seenAt: runtime.now(),
      });
    } catch (error) {
      runtime.storeFailed("recordMemberSeen", error, { memberKey: record.key });
    }
  }

  return {
    lookup: lookupMessage,
    get blockedUntil() {
      return blockedUntil;
    },
    isProxyUser,
    rememberProxyUser,
    learn,
  };
}
