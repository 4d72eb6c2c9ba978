import { describe, expect, it } from "vitest";
import { chooseMode, pagesFor } from "./cost";

describe("bulk vs per-member", () => {
  it("lists the guild when its pages cost fewer reads than the due members", () => {
    const d = chooseMode({ dueCount: 100_000, guildSizeEstimate: 100_000 });
    expect(d.mode).toBe("bulk");
    expect(d.bulkReads).toBe(101);
    expect(d.perMemberReads).toBe(100_000);
  });

  it("reads members one by one when only a few are due", () => {
    const d = chooseMode({ dueCount: 3, guildSizeEstimate: 100_000 });
    expect(d.mode).toBe("per_member");
    expect(chooseMode({ dueCount: 100, guildSizeEstimate: 100_000 }).mode).toBe("per_member");
    expect(chooseMode({ dueCount: 102, guildSizeEstimate: 100_000 }).mode).toBe("bulk");
  });

  it("prefers per-member on a tie and for a single due member", () => {
    expect(chooseMode({ dueCount: 1, guildSizeEstimate: 10 }).mode).toBe("per_member");
    expect(chooseMode({ dueCount: 1, guildSizeEstimate: null }).mode).toBe("per_member");
  });

  it("tries a bounded listing when the guild size is unknown", () => {
    const d = chooseMode({ dueCount: 50, guildSizeEstimate: null });
    expect(d.mode).toBe("bulk");
    expect(d.maxPages).toBe(49);
  });

  it("never lists while bulk is unavailable", () => {
    expect(chooseMode({ dueCount: 100_000, guildSizeEstimate: 1000, bulkAvailable: false }).mode).toBe(
      "per_member",
    );
  });

  it("counts the final short page", () => {
    expect(pagesFor(0)).toBe(1);
    expect(pagesFor(999)).toBe(1);
    expect(pagesFor(1000)).toBe(2);
    expect(pagesFor(100_000)).toBe(101);
  });
});
