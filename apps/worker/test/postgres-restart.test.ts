/**
 * The issue this guards: on PostgreSQL, `pg_ctlcluster … restart` killed the server and the worker
 * (an unhandled `error` event on pg's pool). Here both run as real child processes against a
 * cluster of the test's own (never the shared one on 5432) and discord-sim; the cluster is
 * restarted, then stopped and started, under them.
 */
import { createConfigLoader, discordConfigSpec } from "@guildkit/config";
import { type DiscordSim, startDiscordSim } from "@guildkit/discord-sim";
import { createPostgresStore, isConnectionError, type PostgresStore } from "@guildkit/store-postgres";
import {
  checkScratchClusters,
  createScratchCluster,
  type ScratchCluster,
  testSecretBox,
} from "@guildkit/store-testkit";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FAST_LIMITS } from "../../../packages/worker/test/role-sync-harness";
import { type AppProcess, startServer, startWorker, stopApp, waitFor } from "./app-processes";

const clusters = await checkScratchClusters();

const CHANNEL = "1200000000000000001";
const HOOK = "1250000000000000001";
const HOOK_TOKEN = "restart-hook-token";
/** The bound of the issue: both processes ready again within 5 s of PostgreSQL being back. */
const RECOVERY_BOUND_MS = 5_000;

let cluster: ScratchCluster | null = null;
let sim: DiscordSim;
let store: PostgresStore;
let server: AppProcess & { adminToken: string };
let worker: AppProcess;
const apps = (): AppProcess[] => [server, worker].filter(Boolean);

/** Retries `write` (every 20 ms, 8 s at most) while PostgreSQL is away or its connections are replaced. */
async function retrying<T>(write: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await write();
    } catch (error) {
      if (!isConnectionError(error) || attempt >= 400) throw error;
      await new Promise((done) => setTimeout(done, 20));
    }
  }
}

const order = (item: string) =>
  retrying(() => sql`insert into orders (item) values (${item})`.execute(store.kysely));
const delivered = () => sim.inspect.messages(HOOK).map((m) => m.content);
/** Whether `app` answers `/readyz` with 200; throws at once if it exited meanwhile. */
async function ready(app: AppProcess): Promise<boolean> {
  if (!app.alive()) throw new Error(`${app.name} exited (${await app.exited})`);
  return (await app.get("/readyz"))?.status === 200;
}

/** Measures how long after `since` each app's `/readyz` answers 200 again. */
async function timeToReady(since: number): Promise<Record<string, number>> {
  const times: Record<string, number> = {};
  await Promise.all(
    apps().map(async (app) => {
      await waitFor(() => ready(app), `${app.name} /readyz to answer 200`, 15_000);
      times[app.name] = Date.now() - since;
    }),
  );
  return times;
}

/** Rethrows `error` with what the apps logged, the event log and the database's sessions. */
async function explain(error: unknown): Promise<never> {
  const tails = apps()
    .map((app) => app.tail(15))
    .join("\n");
  const rows = (query: Promise<{ rows: unknown[] }>) =>
    query.then(
      (r) => r.rows.map((row) => JSON.stringify(row)).join("\n"),
      (e: unknown) => String(e),
    );
  const events = await rows(
    sql`select kind, message, created_at from event_log order by id desc limit 15`.execute(store.kysely),
  );
  const sessions = await rows(
    sql`select pid, application_name, state, wait_event_type, wait_event, left(query, 120) as query
      from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid()`.execute(
      store.kysely,
    ),
  );
  const outbox = await rows(
    sql`select id, state, attempts, lease_owner, lease_expires_at, next_attempt_at, last_error from webhook_outbox`.execute(
      store.kysely,
    ),
  );
  throw new Error(
    `${error instanceof Error ? error.message : String(error)}\n${tails}\n--- event log ---\n${events}\n--- sessions ---\n${sessions}\n--- outbox ---\n${outbox}`,
  );
}

describe.skipIf(!clusters.available)("server and worker on a PostgreSQL that restarts under them", () => {
  let guild: { id: string };
  let role: { id: string };
  let member: { id: string; userId: string };

  beforeAll(async () => {
    cluster = await createScratchCluster();
    sim = await startDiscordSim(FAST_LIMITS);
    const app = sim.seed.application({});
    guild = sim.seed.guild({ botUserId: app.botUserId, botRolePosition: 10 });
    role = sim.seed.role({ guildId: guild.id, name: "Paid", position: 1 });
    sim.seed.channel({ guildId: guild.id, id: CHANNEL });
    sim.seed.webhook({ channelId: CHANNEL, id: HOOK, token: HOOK_TOKEN, name: "shop" });
    const [user] = sim.seed.members({ guildId: guild.id, count: 1, roles: () => [], avatars: false });

    store = createPostgresStore({ connectionString: cluster.url, max: 2, secretBox: testSecretBox() });
    await store.migrate();
    await createConfigLoader({ store: store.configStore, spec: discordConfigSpec }).save({
      bot_token: app.botToken,
      guild_id: guild.id,
      role_ids: [role.id],
    });
    const created = await store.members.create({
      email: "restart@example.test",
      discordUserId: user?.userId ?? null,
      paymentStatus: null,
    });
    member = { id: created.id, userId: user?.userId ?? "" };
    await sql`create table orders (id bigint generated by default as identity primary key, item text)`.execute(
      store.kysely,
    );
    await store.webhooks.create({
      url: `https://discord.com/api/webhooks/${HOOK}/${HOOK_TOKEN}`,
      template: "order {item}",
      username: "Shop",
      table: "orders",
      operation: "INSERT",
    });

    const target = {
      databaseUrl: cluster.url,
      discord: {
        apiBaseUrl: sim.apiBaseUrl,
        cdnBaseUrl: sim.cdnBaseUrl,
        authorizeUrl: sim.authorizeUrl,
        pluralkitBaseUrl: sim.pluralkitBaseUrl,
      },
    };
    [server, worker] = await Promise.all([startServer(target), startWorker(target)]);
    await Promise.all(
      apps().map((app) => waitFor(() => ready(app), `${app.name} to become ready`, 30_000)),
    ).catch(explain);
  }, 60_000);

  afterAll(async () => {
    await Promise.all(apps().map((app) => stopApp(app)));
    await store?.close();
    await sim?.close();
    await cluster?.drop();
  }, 30_000);

  it("a restart kills neither process, both are ready within 5 s of PostgreSQL being back, and no webhook event (before, during, after) or due member is lost", async () => {
    try {
      await order("before");
      const restarting = cluster?.restart();
      await waitFor(
        () =>
          store.ping().then(
            () => false,
            () => true,
          ),
        "PostgreSQL to go down",
        10_000,
      );
      // Written the moment PostgreSQL accepts connections again, while the restart is still
      // finishing and the worker's LISTEN connection is away: only its re-check can find it.
      const during = order("during");
      await restarting;
      const back = Date.now();
      await during;
      await order("after");
      await retrying(() => store.members.update(member.id, { paymentStatus: "active" }));
      const recovery = await timeToReady(back);
      console.log(`[postgres-restart] ready again after the restart (ms): ${JSON.stringify(recovery)}`);
      for (const app of apps()) expect(app.alive(), `${app.name} is still running`).toBe(true);
      for (const ms of Object.values(recovery)) expect(ms).toBeLessThan(RECOVERY_BOUND_MS);

      const settled: Record<string, number> = {};
      await Promise.all([
        waitFor(
          () => ["order before", "order during", "order after"].every((m) => delivered().includes(m)),
          "the three webhook events to reach discord-sim",
        ).then(() => {
          settled.webhooks_delivered = Date.now() - back;
        }),
        waitFor(
          () => sim.inspect.member(guild.id, member.userId)?.roles.includes(role.id) === true,
          "the member marked due to get the role",
        ).then(() => {
          settled.member_converged = Date.now() - back;
        }),
      ]);
      console.log(`[postgres-restart] after PostgreSQL was back (ms): ${JSON.stringify(settled)}`);
      const outbox = await store.webhooks.countByState();
      expect(outbox).toMatchObject({ pending: 0, dead: 0 });
    } catch (error) {
      await explain(error);
    }
  }, 45_000);

  it("while PostgreSQL is down both /readyz answer 503 with a reason, /healthz stays 200, a database route answers 503, and both recover once it is back", async () => {
    try {
      await cluster?.stop();
      await Promise.all(
        apps().map((app) => waitFor(async () => !(await ready(app)), `${app.name} /readyz to answer 503`)),
      );
      for (const app of apps()) {
        const readiness = await app.get("/readyz");
        expect(readiness?.status).toBe(503);
        expect(readiness?.body).toMatchObject({ status: "unavailable", reason: "database_unreachable" });
        const liveness = await app.get("/healthz");
        expect(liveness?.status, `${app.name} /healthz`).toBe(200);
        expect(liveness?.body).toMatchObject({ database: "unreachable" });
      }
      const config = await server.get("/admin/api/config/discord", {
        authorization: `Bearer ${server.adminToken}`,
      });
      expect(config?.status).toBe(503);

      await cluster?.start();
      const back = Date.now();
      await order("after the outage");
      const recovery = await timeToReady(back);
      console.log(`[postgres-restart] ready again after stop/start (ms): ${JSON.stringify(recovery)}`);
      for (const ms of Object.values(recovery)) expect(ms).toBeLessThan(RECOVERY_BOUND_MS);
      expect(
        (await server.get("/admin/api/config/discord", { authorization: `Bearer ${server.adminToken}` }))
          ?.status,
      ).toBe(200);
      await waitFor(
        () => delivered().includes("order after the outage"),
        "the event written after the outage",
      );
      for (const app of apps()) {
        expect(app.alive(), `${app.name} is still running`).toBe(true);
        expect(app.lines.join("\n")).not.toMatch(/Unhandled 'error' event|unhandledRejection/);
      }
    } catch (error) {
      await explain(error);
    }
  }, 45_000);

  it("both processes still stop cleanly on SIGTERM", async () => {
    const codes = await Promise.all(apps().map((app) => stopApp(app)));
    try {
      expect(codes).toEqual([0, 0]);
    } catch (error) {
      await explain(error);
    }
  }, 30_000);
});
