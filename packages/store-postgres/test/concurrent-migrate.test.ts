import { migrations } from "@guildkit/store-kysely";
import { checkPostgres, createPostgresTestStore } from "@guildkit/store-testkit";
import { sql } from "kysely";
import { describe, expect, it } from "vitest";
import * as postgres from "../src/index";

const target = await checkPostgres();

describe.skipIf(!target.available)("store-postgres migrations", () => {
  it("several processes migrating one schema at the same time apply each migration once", async () => {
    const first = await createPostgresTestStore(postgres, { connectionString: target.url, migrate: false });
    const schema = first.store.schema!;
    const others = [1, 2].map(() => postgres.createPostgresStore({ connectionString: target.url, schema }));
    try {
      const reports = await Promise.all([first.store, ...others].map((s) => s.migrate()));
      // every registered migration applied exactly once, in order, across all processes
      expect(reports.flatMap((r) => r.applied)).toEqual(migrations.map((m) => m.name));
      await others[0]!.members.create({ email: "x@example.org" });
      expect(await first.store.members.findByEmail("x@example.org")).not.toBeNull();
    } finally {
      for (const s of others) await s.close();
      await first.teardown();
    }
  });

  it("a fresh schema migrates fully while another guildkit schema exists in the same database", async () => {
    const first = await createPostgresTestStore(postgres, { connectionString: target.url });
    const second = await createPostgresTestStore(postgres, { connectionString: target.url, migrate: false });
    try {
      const report = await second.store.migrate();
      expect(report.applied).toEqual(migrations.map((m) => m.name));
      const tables = await second.db
        .selectFrom("information_schema.tables" as never)
        .select("table_name" as never)
        .where("table_schema" as never, "=", second.store.schema as never)
        .execute();
      expect(tables.map((t) => (t as { table_name: string }).table_name)).toEqual(
        expect.arrayContaining(["guildkit_migration", "guildkit_migration_lock", "members"]),
      );
    } finally {
      await second.teardown();
      await first.teardown();
    }
  });

  it("migrates while another schema's tables are created and dropped (its introspection reads only its own schema)", async () => {
    // Another installation churning its tables: kysely's own introspector lists every column of
    // every schema and fails on one dropped meanwhile (42703 / 42P01).
    const churn = await createPostgresTestStore(postgres, { connectionString: target.url, migrate: false });
    let stop = false;
    const churning = Promise.all(
      [0, 1, 2].map(async (loop) => {
        for (let i = 0; !stop; i++) {
          const name = sql.id(`churn_${loop}_${i}`);
          await sql`create table ${name} (id serial primary key, a text, b text, c text, d text)`.execute(
            churn.db,
          );
          await sql`drop table ${name}`.execute(churn.db);
        }
      }),
    );
    try {
      for (let round = 0; round < 8; round++) {
        const fresh = await createPostgresTestStore(postgres, {
          connectionString: target.url,
          migrate: false,
        });
        try {
          expect((await fresh.store.migrate()).applied).toEqual(migrations.map((m) => m.name));
        } finally {
          await fresh.teardown();
        }
      }
    } finally {
      stop = true;
      await churning;
      await churn.teardown();
    }
  }, 60_000);

  it("refuses a schema name that is not a plain identifier", () => {
    expect(() => postgres.createPostgresStore({ connectionString: target.url, schema: 'x"; drop' })).toThrow(
      postgres.InvalidSchemaNameError,
    );
  });
});
