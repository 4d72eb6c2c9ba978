import { describe, expect, it } from "vitest";
import { parseWebhookDefinition, tableIssue, validateWebhookDefinition } from "./definition";
import { WebhookDefinitionError } from "./errors";

const columns = [
  { name: "id", type: "INTEGER" },
  { name: "email", type: "TEXT" },
  { name: "discord_user_id", type: "TEXT" },
  { name: "payment_status", type: "TEXT" },
];
const URL = "https://discord.com/api/webhooks/123456789012345678/tok_en-123";
const valid = {
  url: URL,
  template: "New member {email} <@{discord_user_id}>",
  username: "Sign-ups",
  table: "members",
  operation: "insert",
  when: "NEW.payment_status IS NOT NULL",
  mentionUserColumns: ["Discord_User_Id"],
};

describe("validateWebhookDefinition", () => {
  it("accepts a valid definition and normalises it", () => {
    const result = validateWebhookDefinition(valid, { columns });
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.definition).toEqual({
      url: URL,
      template: valid.template,
      username: "Sign-ups",
      avatarUrl: null,
      table: "members",
      operation: "INSERT",
      when: "NEW.payment_status IS NOT NULL",
      enabled: true,
      mentionUserColumns: ["discord_user_id"],
      retryDelaysMs: null,
      giveUpAfterMs: null,
      embed: null,
      coalesce: null,
    });
    expect(result.when?.kind).toBe("is_null");
    expect(result.template.render({ old: null, new: { email: "a@b.c", discord_user_id: "1" } })).toBe(
      "New member a@b.c <@1>",
    );
  });

  it("treats an empty WHEN, username or avatar as absent", () => {
    const result = validateWebhookDefinition(
      { ...valid, when: "  ", username: "", avatarUrl: null },
      { columns },
    );
    expect(
      result.ok && [result.definition.when, result.definition.username, result.definition.avatarUrl],
    ).toEqual([null, null, null]);
  });

  it("names every problem at once", () => {
    const result = validateWebhookDefinition(
      {
        url: "https://example.com/hook",
        template: "Hi {emial} }",
        username: "Discord Notifier",
        avatarUrl: "http://insecure.example/a.png",
        table: "members",
        operation: "UPSERT",
        when: "NEW.email = 'x' AND OLD.id = 1",
        enabled: "yes",
        mentionUserColumns: ["nope"],
        extra: 1,
      },
      { columns },
    );
    expect(result.ok).toBe(false);
    if (result.ok) return;
    const byPath = result.issues.map((i) => `${i.path.join(".")}:${i.code}`);
    expect(byPath).toEqual(
      expect.arrayContaining([
        "avatarUrl:custom",
        "operation:invalid_value",
        "enabled:invalid_type",
        ":unrecognized_keys",
        "url:url_unknown_host",
        "username:invalid_username",
        "mentionUserColumns.0:unknown_column",
      ]),
    );
    // Without a valid operation, template and WHEN are checked no further than their syntax.
    expect(result.issues.every((i) => !i.message.includes(URL))).toBe(true);
  });

  it("checks template and WHEN against the table once the operation is known", () => {
    const result = validateWebhookDefinition(
      { ...valid, template: "Hi {emial} }", when: "NEW.email = 'x' AND OLD.id = 1 AND NEW.nope = 2" },
      { columns },
    );
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.issues.map((i) => [i.path[0], i.code, i.position])).toEqual([
      ["template", "unknown_placeholder", 3],
      ["template", "unmatched_brace", 11],
      ["when", "when_column", 20],
      ["when", "when_column", 35],
    ]);
    expect(result.issues[0]?.message).toContain("id, email, discord_user_id, payment_status");
  });

  it("reports WHEN syntax errors with their position", () => {
    const result = validateWebhookDefinition(
      { ...valid, when: "NEW.id = 1; DROP TABLE members" },
      { columns },
    );
    expect(!result.ok && result.issues).toEqual([
      expect.objectContaining({ path: ["when"], code: "when_syntax", position: 10 }),
    ]);
  });

  it("refuses a table that does not exist, naming the tables that do", () => {
    const result = validateWebhookDefinition(valid, { columns: null, tables: ["members", "payments"] });
    expect(!result.ok && result.issues).toEqual([
      {
        path: ["table"],
        code: "unknown_table",
        message: "table members does not exist; tables: members, payments",
      },
    ]);
  });

  it("refuses table names that are not identifiers, and guildkit's own tables", () => {
    const bad = validateWebhookDefinition({ ...valid, table: 'members"; DROP TABLE x; --' }, { columns });
    expect(!bad.ok && bad.issues.map((i) => i.code)).toEqual(["table_invalid_characters"]);
    const own = validateWebhookDefinition({ ...valid, table: "webhook_outbox" }, { columns });
    expect(!own.ok && own.issues.map((i) => i.code)).toEqual(["table_reserved"]);
  });

  it("refuses, at table, a table the store reserves (any case), before looking at its columns", () => {
    const ctx = { columns: [{ name: "values", type: "TEXT" }], reservedTables: ["config_versions"] };
    const result = validateWebhookDefinition(
      { ...valid, table: "CONFIG_VERSIONS", template: "{values}" },
      ctx,
    );
    expect(!result.ok && result.issues).toEqual([
      {
        path: ["table"],
        code: "table_reserved",
        message: expect.stringContaining("table CONFIG_VERSIONS belongs to guildkit"),
      },
    ]);
    expect(tableIssue("config_versions", ctx)?.code).toBe("table_reserved");
    expect(tableIssue("orders", ctx)).toBeNull();
  });

  it("uses the table's canonical name when the store gives it", () => {
    const result = validateWebhookDefinition(
      { ...valid, table: "MEMBERS" },
      { columns, tableName: "members" },
    );
    expect(result.ok && result.definition.table).toBe("members");
  });

  it("accepts a simulator's webhook URL when its base is given", () => {
    const url = "http://127.0.0.1:9999/api/v10/webhooks/5/abc";
    expect(validateWebhookDefinition({ ...valid, url }, { columns }).ok).toBe(false);
    expect(
      validateWebhookDefinition(
        { ...valid, url },
        { columns, webhookBaseUrl: "http://127.0.0.1:9999/api/v10" },
      ).ok,
    ).toBe(true);
  });

  it("refuses a non-object", () => {
    const result = validateWebhookDefinition("nope", { columns });
    expect(result.ok).toBe(false);
  });
});

describe("parseWebhookDefinition", () => {
  it("throws WebhookDefinitionError with every issue", () => {
    try {
      parseWebhookDefinition({ ...valid, username: "clyde", template: "{x}" }, { columns });
    } catch (err) {
      expect(err).toBeInstanceOf(WebhookDefinitionError);
      expect((err as WebhookDefinitionError).issues).toHaveLength(2);
      expect((err as Error).message).toContain("username:");
      return;
    }
    throw new Error("expected WebhookDefinitionError");
  });
});
