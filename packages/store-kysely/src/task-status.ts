import { GuildkitError, type IoOptions } from "@guildkit/core";
import type { Kysely } from "kysely";
import { decodeJsonObject, decodeTime, encodeJson, encodeTime } from "./codec";
import type { Clock, Dialect } from "./dialect";
import { toStoreError } from "./errors";
import type { Database } from "./schema";

/** The latest round of one worker task, as {@link TaskStatusStore} returns it. */
export interface TaskStatus {
  task: string;
  /** The worker that ran it (its lease-owner id). */
  worker: string;
  /** When it was recorded (the store's clock). */
  at: Date;
  /** The round's counters, as recorded. */
  summary: Record<string, unknown>;
}

/** Where workers leave the summary of each task's latest round, for the console and `guildkit status`. */
export interface TaskStatusStore {
  /** Replaces `task`'s row with this round (stamped with the store's clock). */
  record(
    input: { task: string; worker: string; summary: Record<string, unknown> },
    opts?: IoOptions,
  ): Promise<void>;
  /** `task`'s latest round, or `null` when no worker recorded one. */
  read(task: string, opts?: IoOptions): Promise<TaskStatus | null>;
  /** Every task's latest round, by task name. */
  list(opts?: IoOptions): Promise<TaskStatus[]>;
}

/** Longest task name and largest summary (serialised) {@link TaskStatusStore.record} accepts. */
export const TASK_STATUS_LIMITS = Object.freeze({ taskLength: 64, summaryBytes: 8_192 });

/** A task status that cannot be recorded (empty or long task name, a summary that is not a small JSON object). */
export class InvalidTaskStatusError extends GuildkitError {
  override readonly name = "InvalidTaskStatusError";

  constructor(message: string) {
    super(message, { retryable: false, code: "invalid_task_status" });
  }
}

function validate(input: { task: string; worker: string; summary: Record<string, unknown> }): string {
  const { task, worker, summary } = input;
  if (typeof task !== "string" || task.length === 0 || task.length > TASK_STATUS_LIMITS.taskLength)
    throw new InvalidTaskStatusError(`task must be 1 to ${TASK_STATUS_LIMITS.taskLength} characters`);
  if (typeof worker !== "string" || worker.length === 0)
    throw new InvalidTaskStatusError("worker must be a non-empty string");
  if (summary === null || typeof summary !== "object" || Array.isArray(summary))
    throw new InvalidTaskStatusError("summary must be a JSON object");
  const json = encodeJson(summary);
  if (Buffer.byteLength(json) > TASK_STATUS_LIMITS.summaryBytes)
    throw new InvalidTaskStatusError(`summary is over ${TASK_STATUS_LIMITS.summaryBytes} bytes as JSON`);
  return json;
}

/** {@link TaskStatusStore} on `task_status` (migration `016-task-status`); the same SQL on both dialects. */
export function createTaskStatusStore(db: Kysely<Database>, dialect: Dialect, clock: Clock): TaskStatusStore {
  const decode = (row: {
    task: string;
    worker: string;
    summary: unknown;
    updated_at: unknown;
  }): TaskStatus => ({
    task: row.task,
    worker: row.worker,
    at: decodeTime(row.updated_at) as Date,
    summary: decodeJsonObject(dialect, row.summary),
  });
  return {
    async record(input, opts = {}) {
      opts.signal?.throwIfAborted();
      const summary = validate(input);
      const updated_at = encodeTime(dialect, clock.now());
      try {
        await db
          .insertInto("task_status")
          .values({ task: input.task, worker: input.worker, summary, updated_at })
          .onConflict((oc) => oc.column("task").doUpdateSet({ worker: input.worker, summary, updated_at }))
          .execute();
      } catch (error) {
        throw toStoreError(error, dialect);
      }
    },
    async read(task, opts = {}) {
      opts.signal?.throwIfAborted();
      const row = await db.selectFrom("task_status").selectAll().where("task", "=", task).executeTakeFirst();
      return row ? decode(row) : null;
    },
    async list(opts = {}) {
      opts.signal?.throwIfAborted();
      const rows = await db.selectFrom("task_status").selectAll().orderBy("task").execute();
      return rows.map(decode);
    },
  };
}
