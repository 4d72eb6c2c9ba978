import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { migrations } from "@guildkit/store-kysely";
import { afterEach, expect, it } from "vitest";
import { createSqliteStore, openSqliteDatabase, type SqliteStore } from "../src/index";

const dirs: string[] = [];
const stores: SqliteStore[] = [];
afterEach(async () => {
  for (const s of stores.splice(0)) await s.close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

it("two processes migrating one database file at the same time both succeed", async () => {
  const dir = mkdtempSync(join(tmpdir(), "guildkit-race-"));
  dirs.push(dir);
  const file = join(dir, "db.sqlite");
  const a = createSqliteStore({ database: openSqliteDatabase(file, { busyTimeoutMs: 200 }) });
  const b = createSqliteStore({ database: openSqliteDatabase(file, { busyTimeoutMs: 200 }) });
  stores.push(a, b);
  const [ra, rb] = await Promise.all([a.migrate(), b.migrate()]);
  // every registered migration applied exactly once, in order, across both processes
  expect([...ra.applied, ...rb.applied]).toEqual(migrations.map((m) => m.name));
  expect(await a.members.create({ email: "x@example.org" })).toMatchObject({ email: "x@example.org" });
});
