import { parseProcessSettings } from "@guildkit/config";
import { createFakeTime } from "@guildkit/core/testing";
import * as sqlite from "@guildkit/store-sqlite";
import { createSqliteTestStore, TEST_SECRET_KEY } from "@guildkit/store-testkit";
import { expect, it, vi } from "vitest";
import type { WorkerContext } from "../src/context";
import { createLogger } from "../src/logger";
import { createMetrics } from "../src/metrics";
import { createOAuthStatePurgeTask } from "../src/oauth";
import type { WorkerStore } from "../src/store";

it("the OAuth state purge task deletes spent nonces whose tokens expired and expired sessions, and stops on abort", async () => {
  const handle = await createSqliteTestStore(sqlite);
  try {
    const now = new Date("2026-11-23T12:00:00.000Z");
    const nonces = handle.store.oauth.nonces;
    await nonces.consume({ nonce: "expired", expiresAt: new Date(now.getTime() - 1_000), now });
    await nonces.consume({ nonce: "live", expiresAt: new Date(now.getTime() + 60_000), now });
    const member = await handle.store.members.create({ email: "m@example.test" });
    const sessions = handle.store.oauth.sessions;
    for (const [idHash, expiresIn] of [
      ["e".repeat(43), -1_000],
      ["l".repeat(43), 60_000],
    ] as const) {
      await sessions.create({
        idHash,
        memberId: member.id,
        createdAt: new Date(now.getTime() - 3_600_000),
        expiresAt: new Date(now.getTime() + expiresIn),
      });
    }
    const ctx: WorkerContext = {
      settings: parseProcessSettings({
        DATABASE_URL: ":memory:",
        PUBLIC_BASE_URL: "http://127.0.0.1:3000",
        STATE_SIGNING_KEY: "test-state-signing-key-0123456789abcdef",
        ADMIN_TOKEN: "test-admin-token-0123456789",
        GUILDKIT_SECRET_KEY: TEST_SECRET_KEY,
      }),
      store: handle.store as WorkerStore,
      logger: createLogger({ name: "test", level: "silent" }),
      metrics: createMetrics("test"),
      workerId: "test",
    };
    const time = createFakeTime(now);
    const controller = new AbortController();
    const task = createOAuthStatePurgeTask({
      intervalMs: 60_000,
      clock: time.clock,
      scheduler: time.scheduler,
    });
    const run = task.run(ctx, controller.signal);
    // The first purge runs at once; then the task waits on the scheduler for the next interval.
    await vi.waitFor(
      async () => {
        const rows = await handle.db.selectFrom("oauth_states").select("nonce").execute();
        const live = await handle.db.selectFrom("sessions").select("id_hash").execute();
        expect([rows.length, live.length, time.pending()]).toEqual([1, 1, 1]);
      },
      { timeout: 10_000, interval: 5 },
    );
    controller.abort();
    await run;
    expect(time.pending()).toBe(0);
    const left = await handle.db.selectFrom("oauth_states").select("nonce").execute();
    expect(left.map((r) => r.nonce)).toEqual(["live"]);
    const sessionsLeft = await handle.db.selectFrom("sessions").select("id_hash").execute();
    expect(sessionsLeft.map((r) => r.id_hash)).toEqual(["l".repeat(43)]);
  } finally {
    await handle.teardown();
  }
});
