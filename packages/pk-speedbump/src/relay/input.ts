import { fromGatewayDispatch, type MessageEvent, parseMessageEvent } from "../events";

/**
 * Turns input values into speedbump events, learning thread parents on the way: a thread's parent is
 * learnt from any event that names it (`parentId`, or `parent_id` in a dispatch) and from
 * `THREAD_CREATE` / `THREAD_UPDATE`, and applied to later events of the thread that do not name it
 * (a gateway message names only its channel).
 */
export interface RelayInput {
  /**
   * The event of a parsed input value; null for a value that is no message event (a thread
   * dispatch). Throws on a value that is neither (see `parseMessageEvent`).
   */
  toEvent(value: unknown): MessageEvent | null;
  /** The parent learnt for a thread; null when none. */
  parentOf(threadId: string): string | null;
}

/** Creates the input side of one relay (its thread parents in memory). */
export function createRelayInput(): RelayInput {
  const threadParents = new Map<string, string>();
  const parentOf = (id: string) => threadParents.get(id) ?? null;

  function learnParent(threadId: unknown, parentId: unknown): void {
    if (typeof threadId === "string" && typeof parentId === "string" && threadId !== parentId) {
      threadParents.set(threadId, parentId);
    }
  }

  function toEvent(value: unknown): MessageEvent | null {
    if (value && typeof value === "object" && "t" in value && "d" in value) {
      const dispatch = value as { t: string; d: unknown };
      const d = (dispatch.d ?? {}) as { id?: unknown; channel_id?: unknown; parent_id?: unknown };
      if (dispatch.t === "THREAD_CREATE" || dispatch.t === "THREAD_UPDATE") {
        learnParent(d.id, d.parent_id);
        return null;
      }
      // Gateway messages do not name a thread's parent; a feed that knows it may add `parent_id`.
      learnParent(d.channel_id, d.parent_id);
      return fromGatewayDispatch(dispatch, { parentOf });
    }
    const event = parseMessageEvent(value);
    if (event.parentId) learnParent(event.channelId, event.parentId);
    const parentId = event.parentId ?? parentOf(event.channelId);
    return parentId === event.parentId ? event : { ...event, parentId };
  }

  return { toEvent, parentOf };
}
