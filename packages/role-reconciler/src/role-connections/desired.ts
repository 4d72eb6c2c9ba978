import type { IoOptions } from "@guildkit/core";
import { type EntitlementRule, ruleColumns } from "../entitlement";
import type { SyncQueue } from "../ports";
import { type MetadataRecord, metadataColumns } from "./metadata-schema";
import type { DesiredConnection, RoleConnectionQueue } from "./ports";
import { metadataValues } from "./values";

/** Where the members and their entitlement inputs are read from: the role-sync queue's `scan`. */
export type MemberScan = Pick<SyncQueue, "scan">;

/** What {@link refreshDesired} needs. */
export interface RefreshDesiredDeps {
  members: MemberScan;
  queue: Pick<RoleConnectionQueue, "setDesired">;
}

/** Result of {@link refreshDesired}. */
export interface RefreshDesiredResult {
  /** Members read. */
  scanned: number;
  /** Members whose desired values changed (now due). */
  changed: number;
}

/**
 * Computes every member's desired role connection from the entitlement rules and records it, page by
 * page: a linked member gets its values (or `null` when the rules entitle it to nothing, clearing
 * the connection); an unlinked or deleted member gets `null`. Only changed members become due, so
 * running it every round costs reads, not pushes.
 */
export async function refreshDesired(
  deps: RefreshDesiredDeps,
  input: {
    records: readonly MetadataRecord[];
    rules: readonly EntitlementRule[];
    now: Date;
    pageSize?: number;
  },
  io: IoOptions = {},
): Promise<RefreshDesiredResult> {
  const columns = [...new Set([...ruleColumns(input.rules), ...metadataColumns(input.records)])].sort();
  const limit = input.pageSize ?? 500;
  let after: string | null = null;
  let scanned = 0;
  let changed = 0;
  for (;;) {
    io.signal?.throwIfAborted();
    const page = await deps.members.scan({ after, limit, columns }, io);
    if (page.length === 0) break;
    scanned += page.length;
    const entries: DesiredConnection[] = page.map((entry) => ({
      memberId: entry.memberId,
      discordUserId: entry.discordUserId,
      desired:
        entry.deleted || entry.discordUserId === null
          ? null
          : metadataValues(input.records, input.rules, entry.attributes),
    }));
    changed += await deps.queue.setDesired({ entries, now: input.now }, io);
    after = page[page.length - 1]!.memberId;
    if (page.length < limit) break;
  }
  return { scanned, changed };
}
