import { describe, expect, it } from "vitest";
import { CliUsageError } from "../src/commands/errors";
import { parseTimeOption, redeliverTarget } from "../src/commands/webhooks";

const NOW = new Date("2026-12-03T12:00:00.000Z");

describe("guildkit webhooks redeliver: the target from its options", () => {
  it("reads --since/--until as ISO 8601 times or durations before now", () => {
    expect(parseTimeOption("since", "90m", NOW).toISOString()).toBe("2026-12-03T10:30:00.000Z");
    expect(parseTimeOption("since", "3d", NOW).toISOString()).toBe("2026-11-30T12:00:00.000Z");
    expect(parseTimeOption("since", "2026-12-01T14:00Z", NOW).toISOString()).toBe("2026-12-01T14:00:00.000Z");
    for (const bad of ["", "yesterday", "2h ago", "-1h", "1700000000", "2026-13-40"]) {
      expect(() => parseTimeOption("since", bad, NOW)).toThrow(CliUsageError);
    }
  });

  it("builds one of the store's targets, a range with an optional webhook", () => {
    expect(redeliverTarget({ since: "2h", webhook: "7" }, NOW)).toEqual({
      since: new Date("2026-12-03T10:00:00.000Z"),
      webhookId: "7",
    });
    expect(redeliverTarget({ since: "2h", until: "1h" }, NOW)).toEqual({
      since: new Date("2026-12-03T10:00:00.000Z"),
      until: new Date("2026-12-03T11:00:00.000Z"),
    });
    expect(redeliverTarget({ webhook: "7" }, NOW)).toEqual({ webhookId: "7" });
    expect(redeliverTarget({ all: true }, NOW)).toEqual({ all: true });
    expect(redeliverTarget({ event: "12" }, NOW)).toEqual({ eventId: "12" });
    expect(() => redeliverTarget({ since: "1h", event: "12" }, NOW)).toThrow(/--since goes with --webhook/);
  });
});
