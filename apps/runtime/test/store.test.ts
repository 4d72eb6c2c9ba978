import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseWorkerSettings } from "@guildkit/config";
import { TEST_SECRET_KEY } from "@guildkit/store-testkit";
import { sql } from "kysely";
import { expect, it } from "vitest";
import { openStore } from "../src";

it("openStore opens the concrete store DATABASE_URL names, with its kysely and transaction", async () => {
  const dir = mkdtempSync(join(tmpdir(), "guildkit-runtime-"));
  try {
    const settings = parseWorkerSettings({
      DATABASE_URL: join(dir, "db.sqlite"),
      GUILDKIT_SECRET_KEY: TEST_SECRET_KEY,
    });
    const store = await openStore(settings);
    try {
      expect(store.dialect).toBe("sqlite");
      await store.migrate();
      const row = await sql<{ one: number }>`select 1 as one`.execute(store.kysely);
      expect(row.rows).toEqual([{ one: 1 }]);
      expect(await store.transaction(async (ports) => typeof ports.eventLog.append)).toBe("function");
    } finally {
      await store.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
