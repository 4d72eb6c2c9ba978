/** An item the queue can hold: keyed by id, ordered by due time. */
export interface Queued {
  readonly messageId: string;
  readonly dueAt: Date;
}

interface Slot<T> {
  item: T;
  due: number;
  seq: number;
}

/**
 * The delay queue of pending holds: a map by message id plus a binary min-heap by due time,
 * so one timer (for the earliest hold) serves them all. Removal is lazy: a removed or replaced
 * item's heap slot is skipped when it reaches the top.
 */
export interface HoldQueue<T extends Queued> {
  /** Adds an item, or replaces the one with the same id (taking its new due time). */
  add(item: T): void;
  get(messageId: string): T | undefined;
  has(messageId: string): boolean;
  /** Replaces an item's value keeping its place in the order (its `dueAt` must not change). */
  replace(item: T): void;
  /** Removes and returns the item; undefined when absent. */
  remove(messageId: string): T | undefined;
  /** The earliest due time, or null when empty. */
  nextDueAt(): Date | null;
  /** Removes and returns every item due at or before `now`, earliest first. */
  takeDue(now: Date): T[];
  /** Every item, earliest due first. */
  values(): T[];
  readonly size: number;
}

/** Creates an empty {@link HoldQueue}. */
export function createHoldQueue<T extends Queued>(): HoldQueue<T> {
  const current = new Map<string, Slot<T>>();
  const heap: Slot<T>[] = [];
  let seq = 0;

  const less = (a: Slot<T>, b: Slot<T>) => a.due < b.due || (a.due === b.due && a.seq < b.seq);
  const swap = (i: number, j: number) => {
    const t = heap[i]!;
    heap[i] = heap[j]!;
    heap[j] = t;
  };
  const up = (index: number) => {
    let i = index;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!less(heap[i]!, heap[parent]!)) break;
      swap(i, parent);
      i = parent;
    }
  };
  const down = (index: number) => {
    let i = index;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let min = i;
      if (l < heap.length && less(heap[l]!, heap[min]!)) min = l;
      if (r < heap.length && less(heap[r]!, heap[min]!)) min = r;
      if (min === i) return;
      swap(i, min);
      i = min;
    }
  };
  const pop = () => {
    const top = heap[0];
    const last = heap.pop();
    if (heap.length > 0 && last) {
      heap[0] = last;
      down(0);
    }
    return top;
  };
  const live = (slot: Slot<T>) => current.get(slot.item.messageId) === slot;
  const clean = () => {
    while (heap.length > 0 && !live(heap[0]!)) pop();
    // Keep the heap from filling up with dead slots when most holds are removed early.
    if (heap.length > 64 && heap.length > 2 * current.size) {
      heap.length = 0;
      for (const slot of current.values()) heap.push(slot);
      for (let i = (heap.length >> 1) - 1; i >= 0; i--) down(i);
    }
  };

  return {
    add(item) {
      const slot = { item, due: item.dueAt.getTime(), seq: seq++ };
      current.set(item.messageId, slot);
      heap.push(slot);
      up(heap.length - 1);
    },
    get: (id) => current.get(id)?.item,
    has: (id) => current.has(id),
    replace(item) {
      const slot = current.get(item.messageId);
      if (!slot) throw new Error(`no hold for message ${item.messageId}`);
      slot.item = item;
    },
    remove(id) {
      const slot = current.get(id);
      if (!slot) return undefined;
      current.delete(id);
      clean();
      return slot.item;
    },
    nextDueAt() {
      clean();
      const top = heap[0];
      return top ? new Date(top.due) : null;
    },
    takeDue(now) {
      const out: T[] = [];
      const limit = now.getTime();
      clean();
      while (heap.length > 0 && heap[0]!.due <= limit) {
        const slot = pop()!;
        if (live(slot)) {
          current.delete(slot.item.messageId);
          out.push(slot.item);
        }
        clean();
      }
      return out;
    },
    values: () => [...current.values()].sort((a, b) => (less(a, b) ? -1 : 1)).map((s) => s.item),
    get size() {
      return current.size;
    },
  };
}
