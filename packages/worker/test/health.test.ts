import { randomBytes } from "node:crypto";
import { connect, createServer, type Server, type Socket } from "node:net";
import * as postgres from "@guildkit/store-postgres";
import * as sqlite from "@guildkit/store-sqlite";
import {
  checkPostgres,
  createPostgresTestStore,
  createSqliteTestStore,
  freePort,
} from "@guildkit/store-testkit";
import { sql } from "kysely";
import { afterEach, describe, expect, it } from "vitest";
import { checkLiveness, checkReadiness } from "../src/health";
import { migrateWhenReachable } from "../src/store";

const target = await checkPostgres();
const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => {});
});

/** A TCP server on a free port; `onSocket` decides what a connection gets. */
async function listen(
  onSocket: (socket: Socket) => void,
  port = 0,
): Promise<{ port: number; server: Server }> {
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    onSocket(socket);
  });
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
  cleanups.push(async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise((resolve) => server.close(resolve));
  });
  return { port: (server.address() as { port: number }).port, server };
}

const silent = { warn: () => {}, info: () => {} };

describe("readiness and liveness", () => {
  it("a migrated SQLite store is ready; an unmigrated one is not, naming its pending migrations", async () => {
    const migrated = await createSqliteTestStore(sqlite);
    cleanups.push(migrated.teardown);
    expect(await checkReadiness(migrated.store)).toMatchObject({ status: "ready", database: "ok" });
    const fresh = await createSqliteTestStore(sqlite, { migrate: false });
    cleanups.push(fresh.teardown);
    const report = await checkReadiness(fresh.store);
    expect(report).toMatchObject({ status: "unavailable", reason: "migrations_pending" });
    expect(report.status === "unavailable" && report.pending?.[0]).toBe("001-foundation");
  });

  it("tasks that have not started yet keep a process not ready", async () => {
    const migrated = await createSqliteTestStore(sqlite);
    cleanups.push(migrated.teardown);
    const report = await checkReadiness(migrated.store, {
      notStarted: () => "the worker's tasks are starting",
    });
    expect(report).toEqual({
      status: "unavailable",
      reason: "tasks_not_running",
      message: "the worker's tasks are starting",
    });
  });

  it("a Postgres server that does not answer makes readiness database_unreachable while liveness stays ok", async () => {
    const port = await freePort();
    const store = postgres.createPostgresStore({
      connectionString: `postgres://postgres@127.0.0.1:${port}/test`,
    });
    cleanups.push(() => store.close());
    expect(await checkReadiness(store)).toMatchObject({
      status: "unavailable",
      reason: "database_unreachable",
    });
    expect(await checkLiveness((io) => store.ping(io))).toEqual({ status: "ok", database: "unreachable" });
  });

  it("a database that accepts connections but never answers is cut at the probe's deadline", async () => {
    const { port } = await listen(() => {}); // a black hole: accepts, never speaks
    const store = postgres.createPostgresStore({
      connectionString: `postgres://postgres@127.0.0.1:${port}/test`,
    });
    // closed last: the pool waits for its hung connection until the black hole lets go of it
    cleanups.unshift(() => store.close());
    const started = performance.now();
    const report = await checkReadiness(store, { timeoutMs: 200 });
    expect(report).toMatchObject({ status: "unavailable", reason: "database_unreachable" });
    expect(report.status === "unavailable" && report.message).toMatch(/did not answer within 200 ms/);
    expect(await checkLiveness((io) => store.ping(io), { timeoutMs: 200 })).toEqual({
      status: "ok",
      database: "unreachable",
    });
    expect(performance.now() - started).toBeLessThan(2_000);
  });
});

describe("migrateWhenReachable", () => {
  it("a migration that fails for another reason than an unreachable database rejects at once", async () => {
    const broken = sqlite.createSqliteStore({
      filename: ":memory:",
      migrations: [
        {
          name: "001-broken",
          tables: [],
          up: async (db) => void (await sql`select nope from nowhere`.execute(db)),
        },
      ],
    });
    cleanups.push(() => broken.close());
    const sleeps: number[] = [];
    await expect(
      migrateWhenReachable(broken, { logger: silent, sleep: async (ms) => void sleeps.push(ms) }),
    ).rejects.toThrow(/001-broken/);
    expect(sleeps).toEqual([]);
  });

  describe.skipIf(!target.available)("on Postgres", () => {
    it("waits for a database that is not there yet, logging each attempt, and migrates once it answers", async () => {
      const port = await freePort();
      const upstream = new URL(target.url);
      const schema = `gk_${randomBytes(6).toString("hex")}`;
      const url = new URL(target.url);
      url.host = `127.0.0.1:${port}`;
      const store = postgres.createPostgresStore({ connectionString: url.toString(), schema });
      const handle = await createPostgresTestStore(postgres, {
        connectionString: target.url,
        migrate: false,
      });
      cleanups.push(async () => {
        await sql`drop schema if exists ${sql.id(schema)} cascade`.execute(handle.db);
        await handle.teardown();
      });
      cleanups.push(() => store.close());
      const warnings: unknown[] = [];
      const sleeps: number[] = [];
      const migrated = await migrateWhenReachable(store, {
        logger: { warn: (fields: unknown) => void warnings.push(fields) },
        sleep: async (ms) => {
          sleeps.push(ms);
          // the database "comes up" (a proxy to the real one opens on the port) after two failures
          if (sleeps.length === 2) {
            await listen((socket) => {
              const up = connect(Number(upstream.port || 5432), upstream.hostname);
              socket.pipe(up).pipe(socket);
              up.on("error", () => socket.destroy());
              socket.on("error", () => up.destroy());
            }, port);
          }
        },
      });
      expect(migrated).toBe(true);
      expect(sleeps).toEqual([500, 1_000]);
      expect(warnings).toHaveLength(2);
      expect(await store.pendingMigrations()).toEqual([]);
    });
  });
});
