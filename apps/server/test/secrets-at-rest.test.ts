import { execFile } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { promisify } from "node:util";
import * as postgres from "@guildkit/store-postgres";
import * as sqlite from "@guildkit/store-sqlite";
import {
  checkPostgres,
  createPostgresTestStore,
  createSqliteTestStore,
  type TestStoreHandle,
} from "@guildkit/store-testkit";
import { describe, expect, it } from "vitest";
import { createServerApp } from "../src/app";
import { createTestContext, TEST_ADMIN_TOKEN } from "./helpers";
import { listen } from "./http-server";

// Issue 10: "a database dump alone reveals no bot token". Settings saved through the admin API over
// HTTP, then the database read as an attacker with a copy of it would: the raw SQLite file bytes,
// and `pg_dump` of the Postgres schema.

const CLIENT_SECRET = "dump-client-secret-value-0001";
const BOT_TOKEN = "dump.bot.token-value-0002";
const NEW_BOT_TOKEN = "dump.bot.token-value-0003";

async function saveSettingsOverHttp(handle: TestStoreHandle): Promise<void> {
  const { ctx } = await createTestContext({ store: handle.store as never });
  const server = await listen(createServerApp(ctx));
  try {
    const put = (body: unknown) =>
      fetch(`${server.base}/admin/api/config/discord`, {
        method: "PUT",
        headers: { authorization: `Bearer ${TEST_ADMIN_TOKEN}`, "content-type": "application/json" },
        body: JSON.stringify(body),
      });
    const first = await put({
      client_id: "100000000000000001",
      client_secret: CLIENT_SECRET,
      bot_token: BOT_TOKEN,
    });
    expect(first.status).toBe(200);
    const shown = await first.text();
    expect(shown).not.toContain(BOT_TOKEN);
    // a second version: the history holds the first bot token too
    expect((await put({ bot_token: NEW_BOT_TOKEN })).status).toBe(200);
    const history = await fetch(`${server.base}/admin/api/config/discord/history`, {
      headers: { authorization: `Bearer ${TEST_ADMIN_TOKEN}` },
    });
    expect(await history.text()).not.toContain(CLIENT_SECRET);
  } finally {
    await server.close();
  }
}

const expectNoSecret = (dump: string) => {
  expect(dump.length).toBeGreaterThan(0);
  for (const secret of [CLIENT_SECRET, BOT_TOKEN, NEW_BOT_TOKEN]) expect(dump).not.toContain(secret);
  expect(dump).toContain("gk-sealed:v1:"); // the values are there, sealed
};

const pg = await checkPostgres();

describe("secret settings at rest", () => {
  it("the raw SQLite file holds no client secret or bot token after saving them over HTTP", async () => {
    const handle = await createSqliteTestStore(sqlite);
    try {
      await saveSettingsOverHttp(handle);
      const file = handle.file as string;
      const bytes = [file, `${file}-wal`]
        .filter((f) => existsSync(f))
        .map((f) => readFileSync(f).toString("latin1"))
        .join("\n");
      expectNoSecret(bytes);
    } finally {
      await handle.teardown();
    }
  });

  it.skipIf(!pg.available)("pg_dump of the Postgres schema holds no client secret or bot token", async () => {
    const handle = await createPostgresTestStore(postgres, { connectionString: pg.url });
    try {
      await saveSettingsOverHttp(handle);
      const { stdout } = await promisify(execFile)(
        "pg_dump",
        ["--schema", handle.schema as string, "--no-owner", "--dbname", pg.url],
        { maxBuffer: 64 * 1024 * 1024 },
      );
      expect(stdout).toContain("config_versions");
      expectNoSecret(stdout);
    } finally {
      await handle.teardown();
    }
  });
});
