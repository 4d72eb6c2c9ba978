import { randomBytes } from "node:crypto";
import type { Scheduler } from "@guildkit/core";
import { schedulerFromSleep } from "@guildkit/core/testing";
import { checkPostgres, createPostgresTestStore, freePort } from "@guildkit/store-testkit";
import { NOTIFY_CHANNEL } from "@guildkit/webhook-templates";
import { sql } from "kysely";
import { afterEach, describe, expect, it } from "vitest";
import type { PostgresConnectionEvent, PostgresStore } from "../src/index";
import * as postgres from "../src/index";

const target = await checkPostgres();

/** Waits until `check` holds (polling every 10 ms), or fails after `ms` naming `what`. */
async function until(check: () => boolean | Promise<boolean>, what: string, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => {});
});

/**
 * A migrated schema, and a second store on it whose connections carry their own
 * `application_name`, so the test can terminate exactly those backends (never anyone else's).
 */
async function storeWithKillSwitch(options: Partial<postgres.PostgresStoreOptions> = {}) {
  const handle = await createPostgresTestStore(postgres, { connectionString: target.url });
  cleanups.push(handle.teardown);
  const appName = `gk_loss_${randomBytes(4).toString("hex")}`;
  const url = new URL(target.url);
  url.searchParams.set("application_name", appName);
  const events: PostgresConnectionEvent[] = [];
  const store: PostgresStore = postgres.createPostgresStore({
    connectionString: url.toString(),
    schema: handle.store.schema!,
    max: 4,
    onConnectionEvent: (event) => events.push(event),
    listenReconnect: { firstDelayMs: 20, maxDelayMs: 200 },
    ...options,
  } as postgres.PostgresStoreOptions);
  cleanups.push(() => store.close());
  const backends = async (where = sql`true`) =>
    (
      await sql<{ pid: number; query: string; state: string }>`select pid, query, state from pg_stat_activity
        where application_name = ${appName} and ${where}`.execute(handle.db)
    ).rows;
  const terminate = async (where = sql`true`) => {
    const { rows } = await sql<{ n: number }>`select count(pg_terminate_backend(pid))::int as n
      from pg_stat_activity where application_name = ${appName} and ${where}`.execute(handle.db);
    return rows[0]?.n ?? 0;
  };
  const kinds = () => events.map((e) => e.kind);
  return { handle, store, events, kinds, backends, terminate };
}

const listening = sql`query like 'LISTEN%'`;

/** A `Scheduler` whose waits last until `release()` (or their signal aborts). */
function heldScheduler() {
  let signal: AbortSignal | null = null;
  const pending = new Set<() => void>();
  let released = false;
  const scheduler: Scheduler = schedulerFromSleep(
    (_ms, opts) =>
      new Promise<void>((resolve) => {
        signal = opts?.signal ?? null;
        if (released) return resolve();
        pending.add(resolve);
        opts?.signal?.addEventListener("abort", () => resolve(), { once: true });
      }),
  );
  return {
    scheduler,
    signal: (): AbortSignal | null => signal,
    release() {
      released = true;
      for (const resolve of pending) resolve();
    },
  };
}

describe.skipIf(!target.available)("store-postgres on connection loss", () => {
  it("an idle pooled connection the server terminates is reported as postgres.pool_error, the process goes on and the next query reconnects", async () => {
    const { store, events, kinds, terminate } = await storeWithKillSwitch();
    await Promise.all([store.ping(), store.ping(), store.ping()]);
    const killed = await terminate();
    expect(killed).toBeGreaterThan(0);
    await until(
      () => kinds().filter((k) => k === "postgres.pool_error").length === killed,
      "every killed connection to be reported",
    );
    const reported = events.find((e) => e.kind === "postgres.pool_error");
    expect(reported?.level).toBe("warn");
    expect(reported?.message).toMatch(/idle PostgreSQL connection failed/);
    // pg hangs the client (with its connection parameters) on the error; the report does not
    const error = reported && "error" in reported ? reported.error : null;
    expect(error && Object.keys(error).sort()).toEqual(["code", "name"]);
    expect(error).toMatchObject({ code: "57P01" });
    await store.ping();
  });

  it("a query whose connection is terminated rejects with an error isConnectionError recognises, and the store keeps working", async () => {
    const { store, terminate } = await storeWithKillSwitch();
    const sleeping = sql`select pg_sleep(30)`.execute(store.kysely);
    const failure = sleeping.then(
      () => null,
      (error: unknown) => error,
    );
    await until(async () => (await terminate(sql`query like '%pg_sleep%'`)) > 0, "the sleeping query");
    const error = await failure;
    expect(error).toBeInstanceOf(Error);
    expect(postgres.isConnectionError(error)).toBe(true);
    // The connection that carried it may be handed out once more before pg sees its socket close.
    await until(
      () =>
        store.ping().then(
          () => true,
          (e: unknown) => {
            expect(postgres.isConnectionError(e)).toBe(true);
            return false;
          },
        ),
      "a query to succeed again",
    );
    // …while an ordinary SQL error is not a connection error
    const syntax = await sql`select nope from nowhere`.execute(store.kysely).catch((e: unknown) => e);
    expect(postgres.isConnectionError(syntax)).toBe(false);
  });

  it("a store whose server does not answer rejects with a connection error and reports nothing fatal", async () => {
    const port = await freePort();
    const store = postgres.createPostgresStore({
      connectionString: `postgres://postgres@127.0.0.1:${port}/test`,
    });
    cleanups.push(() => store.close());
    const error = await store.ping().catch((e: unknown) => e);
    expect(postgres.isConnectionError(error)).toBe(true);
    await expect(store.pendingMigrations()).rejects.toSatisfy(postgres.isConnectionError);
  });

  it("a waiter on LISTEN is woken when its connection dies, and the connection is reopened and LISTENs again", async () => {
    const gate = heldScheduler();
    const { store, kinds, backends, terminate } = await storeWithKillSwitch({
      listenReconnect: { scheduler: gate.scheduler },
    });
    const wait = { timeoutMs: 20_000, pollIntervalMs: 20_000 };
    await store.webhooks.waitForEvents({ timeoutMs: 1 }); // opens the LISTEN connection
    expect(await backends(listening)).toHaveLength(1);
    // Kill the connection once the waiter has looked for due events and is waiting on LISTEN.
    let markLooked = () => {};
    const looked = new Promise<void>((resolve) => {
      markLooked = resolve;
    });
    const hasDueEvents = store.webhooks.hasDueEvents;
    store.webhooks.hasDueEvents = (io) => hasDueEvents(io).finally(() => setImmediate(markLooked));
    const started = Date.now();
    const waiting = store.webhooks.waitForEvents(wait);
    await looked;
    expect(await terminate(listening)).toBe(1);
    // reconnection is held: only the loss itself can end this wait early
    await waiting;
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(kinds()).toEqual(["postgres.listen_lost"]);
    gate.release();
    await until(() => kinds().includes("postgres.listen_restored"), "the LISTEN connection to come back");
    expect(kinds().filter((k) => k.startsWith("postgres.listen_"))).toEqual([
      "postgres.listen_lost",
      "postgres.listen_restored",
    ]);
    expect(await backends(listening)).toHaveLength(1);
  });

  it("once LISTEN is back, the next wait returns at once (missed events are looked for) and a NOTIFY wakes the one after", async () => {
    const { handle, store, kinds, terminate } = await storeWithKillSwitch();
    const wait = { timeoutMs: 20_000, pollIntervalMs: 20_000 };
    await store.webhooks.waitForEvents({ timeoutMs: 1 });
    await terminate(listening);
    await until(() => kinds().includes("postgres.listen_restored"), "the LISTEN connection to come back");
    const started = Date.now();
    await store.webhooks.waitForEvents(wait);
    expect(Date.now() - started).toBeLessThan(1_000);
    const notified = store.webhooks.waitForEvents(wait);
    await new Promise((resolve) => setTimeout(resolve, 50));
    await sql`select pg_notify(${NOTIFY_CHANNEL}, '')`.execute(handle.db);
    await notified;
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it("close() during a reconnection backoff stops reconnecting and resolves", async () => {
    const gate = heldScheduler();
    const { store, kinds, backends, terminate } = await storeWithKillSwitch({
      listenReconnect: { scheduler: gate.scheduler },
    });
    await store.webhooks.waitForEvents({ timeoutMs: 1 });
    await terminate(listening);
    await until(() => gate.signal() !== null, "the reconnection to wait");
    expect(kinds()).toContain("postgres.listen_lost");
    await store.close();
    expect(gate.signal()?.aborted).toBe(true);
    expect(kinds()).not.toContain("postgres.listen_restored");
    // every connection of the store is gone (the server notices a closed socket shortly after)
    await until(async () => (await backends()).length === 0, "the store's backends to disconnect");
  });
});
