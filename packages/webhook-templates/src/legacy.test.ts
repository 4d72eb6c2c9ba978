import { describe, expect, it } from "vitest";
import { conditionsToWhen, type LegacyWebhookRow, planLegacyWebhook, rewriteLegacyTemplate } from "./legacy";

const tables: Record<string, { name: string; type: string }[]> = {
  member_events: [
    { name: "id", type: "INTEGER" },
    { name: "created", type: "INTEGER" },
    { name: "member", type: "INTEGER" },
    { name: "important", type: "INTEGER" },
    { name: "event", type: "TEXT" },
    { name: "details", type: "TEXT" },
  ],
  members: [
    { name: "id", type: "INTEGER" },
    { name: "name", type: "TEXT" },
    { name: "email", type: "TEXT" },
    { name: "confirmed", type: "INTEGER" },
    { name: "payment_status", type: "TEXT" },
  ],
};
const columnsOf = (table: string) => tables[table] ?? null;
const URL = "https://discord.com/api/webhooks/123456789012345678/tok";

const legacy = (over: Partial<LegacyWebhookRow>): LegacyWebhookRow => ({
  id: "1",
  webhookUrl: URL,
  triggerEvent: "",
  messageTemplate: "hello",
  username: "Conway",
  enabled: true,
  triggerTable: "",
  triggerOp: "",
  whenClause: "",
  ...over,
});

describe("planLegacyWebhook", () => {
  it("keeps the event filter of a trigger_event webhook", () => {
    const plan = planLegacyWebhook({
      row: legacy({ triggerEvent: "EmailConfirmed", messageTemplate: "{details} for member {member}" }),
      conditions: [],
      columnsOf,
    });
    expect(plan).toMatchObject({
      table: "member_events",
      operation: "INSERT",
      when: "NEW.event = 'EmailConfirmed'",
      template: "{details} for member {member}",
      username: "Conway",
      enabled: true,
      disabledReason: null,
    });
  });

  it("restores the filter the seed's own migration lost (trigger_table already member_events)", () => {
    const plan = planLegacyWebhook({
      row: legacy({ triggerEvent: "WaiverSigned", triggerTable: "member_events", triggerOp: "INSERT" }),
      conditions: [],
      columnsOf,
    });
    expect(plan.when).toBe("NEW.event = 'WaiverSigned'");
  });

  it("folds legacy conditions into WHEN, combined with the event filter", () => {
    const plan = planLegacyWebhook({
      row: legacy({ triggerEvent: "FobChanged" }),
      conditions: [
        { columnName: "important", operator: "=", value: "1", logic: "" },
        { columnName: "details", operator: "like", value: "%fob%", logic: "or" },
        { columnName: "member", operator: "IS NOT NULL", value: "", logic: "AND" },
      ],
      columnsOf,
    });
    expect(plan.when).toBe(
      "(NEW.event = 'FobChanged') AND (NEW.important = '1' OR NEW.details LIKE '%fob%' AND NEW.member IS NOT NULL)",
    );
    expect(plan.enabled).toBe(true);
  });

  it("uses OLD. for the conditions of a DELETE trigger", () => {
    const plan = planLegacyWebhook({
      row: legacy({ triggerTable: "members", triggerOp: "delete", messageTemplate: "{name} left" }),
      conditions: [{ columnName: "payment_status", operator: "!=", value: "", logic: "" }],
      columnsOf,
    });
    expect(plan).toMatchObject({ operation: "DELETE", when: "OLD.payment_status != ''", enabled: true });
  });

  it("rewrites NEW. to OLD. in a legacy when_clause of a DELETE trigger", () => {
    const plan = planLegacyWebhook({
      row: legacy({
        triggerTable: "members",
        triggerOp: "DELETE",
        whenClause: "NEW.confirmed = 1 AND NEW.name LIKE 'a%'",
      }),
      conditions: [],
      columnsOf,
    });
    expect(plan.when).toBe("(OLD.confirmed = 1 AND OLD.name LIKE 'a%')");
    expect(plan.enabled).toBe(true);
    expect(plan.notes).toContain("rewrote NEW. to OLD. in the WHEN condition of a DELETE trigger");
  });

  it("keeps both a when_clause and legacy conditions, as (when) AND (conditions), with a note", () => {
    const plan = planLegacyWebhook({
      row: legacy({
        triggerTable: "members",
        triggerOp: "UPDATE",
        whenClause: "OLD.confirmed = 0 OR NEW.confirmed = 1",
      }),
      conditions: [
        { columnName: "name", operator: "=", value: "x", logic: "" },
        { columnName: "email", operator: "IS NULL", value: "", logic: "OR" },
      ],
      columnsOf,
    });
    expect(plan.when).toBe(
      "(OLD.confirmed = 0 OR NEW.confirmed = 1) AND (NEW.name = 'x' OR NEW.email IS NULL)",
    );
    expect(plan.enabled).toBe(true);
    expect(plan.notes).toContain(
      "combined the when_clause with 2 legacy condition(s) as (when_clause) AND (conditions)",
    );
  });

  it("combines event filter, when_clause and conditions, and disables when a condition is refused", () => {
    const plan = planLegacyWebhook({
      row: legacy({ triggerEvent: "FobChanged", whenClause: "NEW.important = 1" }),
      conditions: [{ columnName: "details", operator: "GLOB", value: "*fob*", logic: "" }],
      columnsOf,
    });
    expect(plan.when).toBe(
      "(NEW.event = 'FobChanged') AND (NEW.important = 1) AND (NEW.details GLOB '*fob*')",
    );
    expect(plan.enabled).toBe(false);
    expect(plan.disabledReason).toContain('operator "GLOB" is not supported');
  });

  it("disables, with a recorded reason, a webhook whose condition the grammar rejects — keeping its text", () => {
    const plan = planLegacyWebhook({
      row: legacy({
        triggerTable: "members",
        triggerOp: "UPDATE",
        whenClause: "COALESCE(OLD.name, '') != COALESCE(NEW.name, '')",
      }),
      conditions: [],
      columnsOf,
    });
    expect(plan.enabled).toBe(false);
    expect(plan.when).toBe("COALESCE(OLD.name, '') != COALESCE(NEW.name, '')");
    expect(plan.disabledReason).toMatch(/^upgrade from the legacy webhook: when: WHEN condition: expected/);
  });

  it("disables, with the reason, a legacy webhook on one of the store's own tables", () => {
    const plan = planLegacyWebhook({
      row: legacy({ triggerTable: "Config_Versions", triggerOp: "INSERT", messageTemplate: "{values}" }),
      conditions: [],
      columnsOf: () => [{ name: "values", type: "TEXT" }],
      reservedTables: ["config_versions", "event_log"],
    });
    expect(plan.enabled).toBe(false);
    expect(plan.disabledReason).toMatch(
      /^upgrade from the legacy webhook: table: table Config_Versions belongs to guildkit/,
    );
  });

  it("refuses unknown legacy operators instead of skipping them", () => {
    const plan = planLegacyWebhook({
      row: legacy({ triggerTable: "members", triggerOp: "INSERT" }),
      conditions: [
        { columnName: "name", operator: "=", value: "a", logic: "" },
        { columnName: "name", operator: "REGEXP", value: "^a", logic: "AND" },
      ],
      columnsOf,
    });
    expect(plan.enabled).toBe(false);
    expect(plan.disabledReason).toContain('condition 2: operator "REGEXP" is not supported');
    expect(plan.when).toBe("NEW.name = 'a' AND NEW.name REGEXP '^a'");
  });

  it("disables app-level legacy events, which no table change stands for", () => {
    const plan = planLegacyWebhook({ row: legacy({ triggerEvent: "Signup" }), conditions: [], columnsOf });
    expect(plan).toMatchObject({ table: null, enabled: false });
    expect(plan.disabledReason).toContain('"Signup" was sent by application code');
  });

  it("disables a legacy webhook whose table is gone", () => {
    const plan = planLegacyWebhook({
      row: legacy({ triggerTable: "printers", triggerOp: "INSERT" }),
      conditions: [],
      columnsOf,
    });
    expect(plan.enabled).toBe(false);
    expect(plan.disabledReason).toContain("table printers does not exist");
  });

  it("keeps a disabled legacy webhook disabled without inventing a reason", () => {
    const plan = planLegacyWebhook({
      row: legacy({ triggerEvent: "FobChanged", enabled: false }),
      conditions: [],
      columnsOf,
    });
    expect(plan).toMatchObject({ enabled: false, disabledReason: null });
  });

  it("drops a username Discord would refuse, and notes it", () => {
    const plan = planLegacyWebhook({
      row: legacy({ triggerEvent: "FobChanged", username: "Discord Bot" }),
      conditions: [],
      columnsOf,
    });
    expect(plan.username).toBeNull();
    expect(plan.enabled).toBe(true);
  });
});

describe("rewriteLegacyTemplate", () => {
  it("keeps known placeholders and turns everything else into literal text, rendering as before", () => {
    const notes: string[] = [];
    expect(rewriteLegacyTemplate('{name} {unknown} {"json": 1} }', tables.members ?? [], notes)).toBe(
      '{name} {{unknown}} {{"json": 1}} }}',
    );
    expect(notes).toEqual(["kept {unknown} as literal text (no such column)"]);
  });
});

describe("conditionsToWhen", () => {
  it("refuses column names that are not identifiers", () => {
    const result = conditionsToWhen(
      [{ columnName: "name; DROP", operator: "=", value: "x", logic: "" }],
      "NEW",
    );
    expect(result.ok).toBe(false);
  });

  it("quotes values as string literals", () => {
    const result = conditionsToWhen(
      [{ columnName: "name", operator: "=", value: "O'Brien", logic: "" }],
      "NEW",
    );
    expect(result).toEqual({ ok: true, text: "NEW.name = 'O''Brien'" });
  });
});
