import type { EventLog, EventLogEntry } from "@guildkit/core";
import { expect, it } from "vitest";

/** One implementation of the `EventLog` port under test, with a backdoor onto what it holds. */
export interface EventLogSubject {
  eventLog: EventLog;
  /** Every entry held, in the order appended, read directly (not through the port). */
  entries(): Promise<EventLogEntry[]>;
}

/** An entry as the cases compare it: absent member/Discord ids read as `null`, absent data as `{}`. */
const normalized = (entry: EventLogEntry) => ({
  kind: entry.kind,
  level: entry.level,
  message: entry.message,
  memberId: entry.memberId ?? null,
  discordUserId: entry.discordUserId ?? null,
  data: entry.data ?? {},
});

/**
 * The conformance cases of the shared `EventLog` port of `@guildkit/core`, registered with vitest's
 * `it` in the current `describe`: the SQL stores' `eventLog` through the `ports` feature,
 * `createMemoryEventLog` (`@guildkit/core/testing`) from `tools/store-testkit/test`.
 */
export function defineEventLogCases(fresh: () => Promise<EventLogSubject>): void {
  it("append keeps every field of each entry, in the order appended", async () => {
    const { eventLog, entries } = await fresh();
    await eventLog.append({
      kind: "oauth.callback",
      level: "info",
      message: "Discord account linked",
      memberId: "42",
      discordUserId: "80351110224678912",
      data: { flow: "link", outcome: "linked", emailStored: true, nested: { list: [1, "two", null] } },
    });
    await eventLog.append({ kind: "discord.rate_limited", level: "warn", message: "429" });
    await eventLog.append({ kind: "oauth.error", level: "error", message: "failed", memberId: null });
    expect((await entries()).map(normalized)).toEqual([
      {
        kind: "oauth.callback",
        level: "info",
        message: "Discord account linked",
        memberId: "42",
        discordUserId: "80351110224678912",
        data: { flow: "link", outcome: "linked", emailStored: true, nested: { list: [1, "two", null] } },
      },
      {
        kind: "discord.rate_limited",
        level: "warn",
        message: "429",
        memberId: null,
        discordUserId: null,
        data: {},
      },
      {
        kind: "oauth.error",
        level: "error",
        message: "failed",
        memberId: null,
        discordUserId: null,
        data: {},
      },
    ]);
  });

  it("an entry changed after append stays as appended", async () => {
    const { eventLog, entries } = await fresh();
    const roles = ["1"];
    const entry: EventLogEntry = { kind: "role.added", level: "info", message: "added", data: { roles } };
    await eventLog.append(entry);
    roles.push("2");
    entry.message = "changed";
    expect((await entries()).map(normalized)).toEqual([
      {
        kind: "role.added",
        level: "info",
        message: "added",
        memberId: null,
        discordUserId: null,
        data: { roles: ["1"] },
      },
    ]);
  });

  it("an aborted signal rejects and appends nothing", async () => {
    const { eventLog, entries } = await fresh();
    const signal = AbortSignal.abort();
    await expect(eventLog.append({ kind: "x", level: "info", message: "x" }, { signal })).rejects.toThrow();
    expect(await entries()).toEqual([]);
  });
}
