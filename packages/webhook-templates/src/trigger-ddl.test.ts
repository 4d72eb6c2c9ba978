import { describe, expect, it } from "vitest";
import { IdentifierError } from "./errors";
import {
  dropTriggerDdl,
  postgresEnqueueFunctionDdl,
  postgresTriggerDdl,
  sqliteRowJson,
  sqliteTriggerDdl,
  triggerName,
  webhookIdOfTrigger,
} from "./trigger-ddl";
import { checkWhen } from "./when/analyze";
import { parseWhen } from "./when/parser";

const columns = [
  { name: "id", type: "INTEGER" },
  { name: "email", type: "TEXT" },
  { name: "paid", type: "boolean" },
];
const when = (source: string, operation: "INSERT" | "UPDATE" | "DELETE") =>
  checkWhen(parseWhen(source), { columns, operation });

describe("trigger names", () => {
  it("are stable and derived from the webhook id", () => {
    expect(triggerName("42")).toBe("guildkit_webhook_42");
    expect(webhookIdOfTrigger("guildkit_webhook_42")).toBe("42");
    expect(webhookIdOfTrigger("discord_webhook_42")).toBeNull();
    expect(webhookIdOfTrigger("guildkit_webhook_4x")).toBeNull();
    expect(() => triggerName("0")).toThrow(IdentifierError);
    expect(() => triggerName("1; DROP")).toThrow(IdentifierError);
    expect(() => triggerName("99999999999999999999")).toThrow(IdentifierError);
  });
});

describe("sqliteTriggerDdl", () => {
  it("UPDATE with WHEN", () => {
    const ddl = sqliteTriggerDdl({
      webhookId: "42",
      table: "members",
      operation: "UPDATE",
      when: when("NEW.email IS DISTINCT FROM OLD.email AND NEW.paid = TRUE", "UPDATE"),
      columns,
    });
    expect(ddl.name).toBe("guildkit_webhook_42");
    expect(ddl.drop).toEqual(['DROP TRIGGER IF EXISTS "guildkit_webhook_42"']);
    expect(ddl.create).toMatchInlineSnapshot(`
      [
        "DROP TRIGGER IF EXISTS "guildkit_webhook_42"",
        "CREATE TRIGGER "guildkit_webhook_42" AFTER UPDATE ON "members" FOR EACH ROW
      WHEN ((NEW."email" IS NOT OLD."email") AND (NEW."paid" = 1))
      BEGIN
        INSERT INTO "webhook_outbox" ("webhook_id", "op", "old_row", "new_row", "created_at")
        VALUES (42, 'UPDATE', json_object('id', CASE WHEN typeof(OLD."id") = 'blob' THEN '\\x' || lower(hex(OLD."id")) ELSE OLD."id" END, 'email', CASE WHEN typeof(OLD."email") = 'blob' THEN '\\x' || lower(hex(OLD."email")) ELSE OLD."email" END, 'paid', CASE WHEN typeof(OLD."paid") = 'blob' THEN '\\x' || lower(hex(OLD."paid")) ELSE OLD."paid" END), json_object('id', CASE WHEN typeof(NEW."id") = 'blob' THEN '\\x' || lower(hex(NEW."id")) ELSE NEW."id" END, 'email', CASE WHEN typeof(NEW."email") = 'blob' THEN '\\x' || lower(hex(NEW."email")) ELSE NEW."email" END, 'paid', CASE WHEN typeof(NEW."paid") = 'blob' THEN '\\x' || lower(hex(NEW."paid")) ELSE NEW."paid" END), strftime('%Y-%m-%dT%H:%M:%fZ', 'now'));
      END",
      ]
    `);
  });

  it("INSERT without WHEN writes only the new row", () => {
    const ddl = sqliteTriggerDdl({
      webhookId: "7",
      table: "members",
      operation: "INSERT",
      when: null,
      columns: ["id"],
    });
    expect(ddl.create[1]).toMatchInlineSnapshot(`
      "CREATE TRIGGER "guildkit_webhook_7" AFTER INSERT ON "members" FOR EACH ROW
      BEGIN
        INSERT INTO "webhook_outbox" ("webhook_id", "op", "old_row", "new_row", "created_at")
        VALUES (7, 'INSERT', NULL, json_object('id', CASE WHEN typeof(NEW."id") = 'blob' THEN '\\x' || lower(hex(NEW."id")) ELSE NEW."id" END), strftime('%Y-%m-%dT%H:%M:%fZ', 'now'));
      END"
    `);
  });

  it("DELETE writes only the old row", () => {
    const ddl = sqliteTriggerDdl({
      webhookId: "7",
      table: "members",
      operation: "DELETE",
      when: when("OLD.id > 10", "DELETE"),
      columns: ["id"],
    });
    expect(ddl.create[1]).toMatchInlineSnapshot(`
      "CREATE TRIGGER "guildkit_webhook_7" AFTER DELETE ON "members" FOR EACH ROW
      WHEN (OLD."id" > 10)
      BEGIN
        INSERT INTO "webhook_outbox" ("webhook_id", "op", "old_row", "new_row", "created_at")
        VALUES (7, 'DELETE', json_object('id', CASE WHEN typeof(OLD."id") = 'blob' THEN '\\x' || lower(hex(OLD."id")) ELSE OLD."id" END), NULL, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'));
      END"
    `);
  });

  it("chunks wide tables to stay under SQLite's function argument limit", () => {
    const wide = Array.from({ length: 120 }, (_, i) => `c${i}`);
    const ddl = sqliteTriggerDdl({
      webhookId: "1",
      table: "wide",
      operation: "INSERT",
      when: null,
      columns: wide,
    });
    const sql = ddl.create[1] as string;
    expect(sql.match(/json_insert\(/g)).toHaveLength(2);
    expect(sql).toContain(`'$."c50"'`);
    expect(sql).toContain(`'$."c119"'`);
  });

  it("leaves out columns whose names are not identifiers", () => {
    const ddl = sqliteTriggerDdl({
      webhookId: "1",
      table: "t",
      operation: "INSERT",
      when: null,
      columns: ["ok", 'bad"name', "naïve"],
    });
    expect(ddl.create[1]).toContain(`'ok'`);
    expect(ddl.create[1]).not.toContain("bad");
    expect(ddl.create[1]).not.toContain("naïve");
  });

  it("refuses unsafe or reserved tables", () => {
    const spec = { webhookId: "1", operation: "INSERT" as const, when: null, columns: ["id"] };
    expect(() => sqliteTriggerDdl({ ...spec, table: 'x"; DROP TABLE y; --' })).toThrow(IdentifierError);
    expect(() => sqliteTriggerDdl({ ...spec, table: "webhook_outbox" })).toThrow(/cannot be watched/);
    expect(() => sqliteTriggerDdl({ ...spec, table: "sqlite_master" })).toThrow(/cannot be watched/);
  });
});

describe("postgresTriggerDdl", () => {
  it("UPDATE with WHEN", () => {
    const ddl = postgresTriggerDdl({
      webhookId: "42",
      table: "members",
      operation: "UPDATE",
      when: when("NEW.email LIKE '%@Example.com' AND NEW.email > 'a' AND NEW.paid = TRUE", "UPDATE"),
      columns,
    });
    expect(ddl.drop).toEqual(['DROP TRIGGER IF EXISTS "guildkit_webhook_42" ON "members"']);
    expect(ddl.create).toMatchInlineSnapshot(`
      [
        "DROP TRIGGER IF EXISTS "guildkit_webhook_42" ON "members"",
        "CREATE TRIGGER "guildkit_webhook_42" AFTER UPDATE ON "members" FOR EACH ROW
      WHEN ((((translate(CAST(NEW."email" AS text), 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz') LIKE '%@example.com' ESCAPE E'\\\\') AND (NEW."email" COLLATE "C" > 'a')) AND (NEW."paid" = TRUE)))
      EXECUTE FUNCTION "guildkit_webhook_enqueue"('42')",
      ]
    `);
  });

  it("DELETE without WHEN", () => {
    const ddl = postgresTriggerDdl({
      webhookId: "9",
      table: "Members",
      operation: "DELETE",
      when: null,
      columns,
    });
    expect(ddl.create[1]).toMatchInlineSnapshot(`
      "CREATE TRIGGER "guildkit_webhook_9" AFTER DELETE ON "Members" FOR EACH ROW
      EXECUTE FUNCTION "guildkit_webhook_enqueue"('9')"
    `);
  });

  it("the shared enqueue function", () => {
    expect(postgresEnqueueFunctionDdl()).toMatchInlineSnapshot(`
      "CREATE OR REPLACE FUNCTION "guildkit_webhook_enqueue"() RETURNS trigger
      LANGUAGE plpgsql
      SET search_path FROM CURRENT
      AS $guildkit$
      BEGIN
        INSERT INTO "webhook_outbox" ("webhook_id", "op", "old_row", "new_row")
        VALUES (
          TG_ARGV[0]::bigint,
          TG_OP,
          CASE WHEN TG_OP = 'INSERT' THEN NULL ELSE to_jsonb(OLD) END,
          CASE WHEN TG_OP = 'DELETE' THEN NULL ELSE to_jsonb(NEW) END
        );
        PERFORM pg_notify('guildkit_webhook_outbox', TG_ARGV[0]);
        RETURN NULL;
      END
      $guildkit$"
    `);
  });
});

describe("sqliteRowJson", () => {
  it("reads a table alias the way the triggers read NEW/OLD, leaving out names no placeholder can use", () => {
    expect(sqliteRowJson("r", ["id", "bad name"])).toBe(
      `json_object('id', CASE WHEN typeof(r."id") = 'blob' THEN '\\x' || lower(hex(r."id")) ELSE r."id" END)`,
    );
    expect(() => sqliteRowJson("r; drop", ["id"])).toThrow(IdentifierError);
  });
});

describe("dropTriggerDdl", () => {
  it("drops by name, on the table for Postgres", () => {
    expect(dropTriggerDdl("3", "members", "sqlite")).toEqual(['DROP TRIGGER IF EXISTS "guildkit_webhook_3"']);
    expect(dropTriggerDdl("3", "members", "postgres")).toEqual([
      'DROP TRIGGER IF EXISTS "guildkit_webhook_3" ON "members"',
    ]);
  });
});
