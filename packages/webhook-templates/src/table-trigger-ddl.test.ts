import { describe, expect, it } from "vitest";
import {
  buildTableTriggerDdl,
  dropTableTriggerDdl,
  storedColumns,
  tableTriggerName,
  webhookIdsOfTableTrigger,
} from "./table-trigger-ddl";
import { checkWhen } from "./when/analyze";
import { parseWhen } from "./when/parser";

const columns = [
  { name: "id", type: "INTEGER" },
  { name: "email", type: "TEXT" },
  { name: "paid", type: "boolean" },
  { name: "secret", type: "TEXT" },
];
const when = (source: string) => checkWhen(parseWhen(source), { columns, operation: "UPDATE" });

describe("table trigger names", () => {
  it("are one per table and operation, shortened with a stable hash past 63 characters", () => {
    expect(tableTriggerName("members", "UPDATE")).toBe("guildkit_webhooks_update_members");
    const long = `t${"x".repeat(60)}`;
    const name = tableTriggerName(long, "INSERT");
    expect(name).toHaveLength(63);
    expect(tableTriggerName(long, "INSERT")).toBe(name);
    expect(tableTriggerName(`${long.slice(0, -1)}y`, "INSERT")).not.toBe(name);
  });
});

describe("storedColumns", () => {
  it("keeps only what templates, conditions and mentions read, in table order, as the table spells it", () => {
    expect(
      storedColumns(columns, [
        { webhookId: "1", template: "{EMAIL} paid {{literal}}", when: null },
        { webhookId: "2", template: "{old.id}", when: when("NEW.paid = TRUE"), mentionUserColumns: ["nope"] },
      ]),
    ).toEqual(["id", "email", "paid"]);
    expect(storedColumns(columns, [{ webhookId: "1", template: "hello", when: null }])).toEqual([]);
  });
});

describe("sqlite table trigger", () => {
  it("records the change once with the ids whose conditions hold and only the columns read", () => {
    const ddl = buildTableTriggerDdl(
      {
        table: "members",
        operation: "UPDATE",
        columns,
        webhooks: [
          { webhookId: "3", template: "{email}", when: when("NEW.paid = TRUE") },
          { webhookId: "4", template: "{id}", when: when("NEW.email IS DISTINCT FROM OLD.email") },
        ],
      },
      "sqlite",
    );
    const create = ddl.create[1] as string;
    expect(ddl.name).toBe("guildkit_webhooks_update_members");
    expect(create).toContain(`WHEN ((NEW."paid" = 1)) OR ((NEW."email" IS NOT OLD."email"))`);
    expect(create).toContain(`CASE WHEN ((NEW."paid" = 1)) THEN '3,' ELSE '' END`);
    expect(create).toContain(`INSERT INTO "webhook_event"`);
    expect(create).not.toContain("secret");
    expect(webhookIdsOfTableTrigger(create)).toEqual(["3", "4"]);
  });

  it("fires on every change with a constant id list when no webhook has a condition", () => {
    const ddl = buildTableTriggerDdl(
      {
        table: "members",
        operation: "INSERT",
        columns,
        webhooks: [
          { webhookId: "1", template: "{email}", when: null },
          { webhookId: "2", template: "{email}", when: null },
        ],
      },
      "sqlite",
    );
    const create = ddl.create[1] as string;
    expect(create).not.toMatch(/ROW\s+WHEN/);
    expect(create).toContain(`VALUES ('[1,2]', 'INSERT', NULL, json_object('email',`);
  });
});

describe("postgres table trigger", () => {
  it("puts every condition in the trigger's WHEN (so each is type-checked at creation) and a generated function", () => {
    const ddl = buildTableTriggerDdl(
      {
        table: "members",
        operation: "UPDATE",
        columns,
        webhooks: [
          { webhookId: "1", template: "{email}", when: null },
          { webhookId: "2", template: "{id}", when: when("NEW.paid = TRUE") },
        ],
      },
      "postgres",
    );
    const [drop, fn, trigger] = ddl.create as [string, string, string];
    expect(drop).toBe(`DROP TRIGGER IF EXISTS "guildkit_webhooks_update_members" ON "members"`);
    expect(fn).toContain(`CREATE OR REPLACE FUNCTION "guildkit_webhooks_update_members"()`);
    expect(fn).toContain(
      `array_remove(ARRAY[1, CASE WHEN ((NEW."paid" = TRUE)) THEN 2 END]::bigint[], NULL)`,
    );
    expect(fn).toContain(`jsonb_build_object('id', OLD."id", 'email', OLD."email", 'paid', OLD."paid")`);
    expect(fn).not.toContain("secret");
    expect(trigger).toContain(`WHEN (TRUE OR ((NEW."paid" = TRUE)))`);
    expect(webhookIdsOfTableTrigger(fn)).toEqual(["1", "2"]);
    expect(dropTableTriggerDdl("members", "UPDATE", "postgres")).toEqual([
      `DROP TRIGGER IF EXISTS "guildkit_webhooks_update_members" ON "members"`,
      `DROP FUNCTION IF EXISTS "guildkit_webhooks_update_members"()`,
    ]);
  });

  it("refuses guildkit's own tables and an empty webhook list", () => {
    const spec = {
      operation: "INSERT" as const,
      columns,
      webhooks: [{ webhookId: "1", template: "", when: null }],
    };
    expect(() => buildTableTriggerDdl({ ...spec, table: "webhook_event" }, "postgres")).toThrow(
      /cannot be watched/,
    );
    expect(() => buildTableTriggerDdl({ ...spec, table: "t", webhooks: [] }, "sqlite")).toThrow(/no webhook/);
  });
});
