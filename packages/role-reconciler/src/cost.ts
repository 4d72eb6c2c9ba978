/** Members per List Guild Members page (Discord's maximum). */
export const GUILD_PAGE_SIZE = 1000;

/** Inputs of the bulk vs per-member decision. */
export interface ModeInput {
  /** Members due now. */
  dueCount: number;
  /** Guild size from the last complete listing, or `null` when never listed. */
  guildSizeEstimate: number | null;
  /** Page size (default 1,000). */
  pageSize?: number;
  /** False while bulk listing is unavailable (intent missing, listing failing). */
  bulkAvailable?: boolean;
}

/** The decision and its arithmetic (role changes cost the same either way and are left out). */
export interface ModeDecision {
  mode: "bulk" | "per_member";
  /** Reads a per-member round costs: one Get Guild Member per due member. */
  perMemberReads: number;
  /** Pages a bulk listing costs, `null` when the guild size is unknown. */
  bulkReads: number | null;
  /**
   * Most pages the listing may read before it stops being the cheaper choice (the guild may have
   * grown, or its size was unknown); past it the listing is abandoned for per-member reads, so a
   * wrong guess costs at most twice the cheaper choice.
   */
  maxPages: number;
  reason: string;
}

/** Pages needed to list `guildSize` members (the last, short page ends the listing). */
export function pagesFor(guildSize: number, pageSize = GUILD_PAGE_SIZE): number {
  return Math.floor(Math.max(0, guildSize) / pageSize) + 1;
}

/**
 * Picks the cheaper way to check the due members: **bulk** reads the whole member list, 1,000 per
 * page, and compares in memory (≈ guild size / 1,000 reads); **per-member** reads each due member
 * (≈ one read per due member). Ties go to per-member (fresher data, no listing).
 */
export function chooseMode(input: ModeInput): ModeDecision {
  const pageSize = input.pageSize ?? GUILD_PAGE_SIZE;
  const perMemberReads = Math.max(0, input.dueCount);
  const maxPages = Math.max(0, perMemberReads - 1);
  if (input.bulkAvailable === false) {
    return {
      mode: "per_member",
      perMemberReads,
      bulkReads: null,
      maxPages,
      reason: "bulk listing unavailable",
    };
  }
  if (input.guildSizeEstimate === null) {
    const bulk = perMemberReads > 1;
    return {
      mode: bulk ? "bulk" : "per_member",
      perMemberReads,
      bulkReads: null,
      maxPages,
      reason: bulk
        ? `guild size unknown: listing up to ${maxPages} page(s) instead of ${perMemberReads} reads`
        : "a single member is due",
    };
  }
  const bulkReads = pagesFor(input.guildSizeEstimate, pageSize);
  const bulk = bulkReads < perMemberReads;
  return {
    mode: bulk ? "bulk" : "per_member",
    perMemberReads,
    bulkReads,
    maxPages,
    reason: bulk
      ? `${bulkReads} page read(s) for ~${input.guildSizeEstimate} guild members < ${perMemberReads} member reads`
      : `${perMemberReads} member read(s) <= ${bulkReads} page read(s)`,
  };
}
