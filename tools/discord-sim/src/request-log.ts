import type { SimCounters, SimRequestRecord, SimRouteKey } from "./types";

/** Default number of request records kept. */
export const DEFAULT_REQUEST_LOG_CAP = 500_000;

/** A bounded ring of request records plus running counters that never drop anything. */
export function createRequestLog(cap: number): {
  add(record: SimRequestRecord): void;
  list(filter?: { route?: SimRouteKey | "other"; since?: number }): SimRequestRecord[];
  counters(): SimCounters;
  reset(): void;
} {
  const size = Math.max(1, Math.floor(cap));
  let ring: (SimRequestRecord | undefined)[] = [];
  let next = 0;
  let full = false;
  let total = 0;
  let byRoute: Record<string, number> = {};
  let byStatus: Record<string, number> = {};
  return {
    add(record) {
      if (ring.length < size) ring.push(record);
      else ring[next] = record;
      next = (next + 1) % size;
      if (next === 0 && ring.length === size) full = true;
      total += 1;
      byRoute[record.route] = (byRoute[record.route] ?? 0) + 1;
      const status = String(record.status);
      byStatus[status] = (byStatus[status] ?? 0) + 1;
    },
    list(filter) {
      const ordered = full ? [...ring.slice(next), ...ring.slice(0, next)] : ring;
      const out: SimRequestRecord[] = [];
      for (const r of ordered) {
        if (!r) continue;
        if (filter?.route && r.route !== filter.route) continue;
        if (filter?.since !== undefined && r.at < filter.since) continue;
        out.push({ ...r });
      }
      return out;
    },
    counters() {
      return { requests: total, byRoute: { ...byRoute }, byStatus: { ...byStatus } };
    },
    reset() {
      ring = [];
      next = 0;
      full = false;
      total = 0;
      byRoute = {};
      byStatus = {};
    },
  };
}
