import { describe, expect, it } from "vitest";
import { previewWebhook } from "./preview";

const columns = ["id", "name", "status"];
const base = {
  url: "https://discord.com/api/webhooks/1/tok",
  template: "{old.status} → {status}: {name}",
  table: "members",
  operation: "UPDATE",
  when: "NEW.status IS DISTINCT FROM OLD.status",
};

describe("previewWebhook", () => {
  it("renders the message as delivery would and says whether the WHEN condition lets the row through", () => {
    const result = previewWebhook(
      base,
      { columns },
      { row: { id: 1, name: "Ann", status: "paid" }, old: { status: "free" } },
    );
    expect(result.ok && result.message.body.content).toBe("free → paid: Ann");
    expect(result.ok && result.whenMatches).toBe(true);
    const same = previewWebhook(base, { columns }, { row: { id: 1, name: "Ann", status: "paid" } });
    expect(same.ok && same.whenMatches).toBe(false);
  });

  it("returns the definition's issues instead of a message when it is invalid", () => {
    const result = previewWebhook({ ...base, template: "{nope}" }, { columns }, { row: {} });
    expect(result.ok).toBe(false);
    expect(!result.ok && result.issues[0]?.code).toBe("unknown_placeholder");
  });

  it("uses the sample as the old row for DELETE", () => {
    const result = previewWebhook(
      { ...base, operation: "DELETE", template: "{name} left", when: null },
      { columns },
      { row: { name: "Bo" } },
    );
    expect(result.ok && [result.message.body.content, result.whenMatches]).toEqual(["Bo left", true]);
  });
});
