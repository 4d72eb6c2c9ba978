/**
 * Per-channel lines: tasks of one line (a channel's events, a channel's state writes, a relay's
 * retries of a channel's events) run one after another, in the order they were queued; different
 * lines run concurrently. A failed task does not stop its line.
 */
export interface Lines {
  /** Runs `task` after every earlier task of `line` (at once when the line is idle). */
  run<T>(line: string, task: () => Promise<T>): Promise<T>;
  /** Lines with a task queued or running. */
  readonly size: number;
  /** The tails of the busy lines (each resolves when its line's tasks so far are done). */
  tails(): IterableIterator<Promise<void>>;
}

const ignore = () => undefined;

/** Creates an empty set of {@link Lines}. */
export function createLines(): Lines {
  const tails = new Map<string, Promise<void>>();
  return {
    run<T>(line: string, task: () => Promise<T>): Promise<T> {
      const previous = tails.get(line);
      const run = previous ? previous.then(task) : task();
      const tail = run.then(ignore, ignore);
      tails.set(line, tail);
      tail.then(() => {
        if (tails.get(line) === tail) tails.delete(line);
      });
      return run;
    },
    get size() {
      return tails.size;
    },
    tails: () => tails.values(),
  };
}
