import { type BlockList, createBlockList } from "../blocks";
import type { GuildSnapshot } from "../bulk";
import type {
  Clock,
  EventLogEntry,
  GrantLedger,
  GuildGateway,
  LinkedMember,
  LinkedMembers,
  MemberProfiles,
  Scheduler,
  SyncQueue,
} from "../ports";
import {
  DEFAULT_RECONCILER_OPTIONS,
  type ReconcilerOptions,
  type RoleReconcilerDeps,
  type RoleSyncSettings,
} from "./options";
import type { RunSummary } from "./summary";

/**
 * What every step of a reconciliation works with: the ports, the tuning, and the blocks of
 * permanent failures (the one piece of state every step reads). Built once per reconciler.
 */
export interface Engine {
  readonly queue: SyncQueue;
  readonly ledger: GrantLedger;
  readonly members: LinkedMembers;
  readonly profiles: MemberProfiles;
  readonly clock: Clock;
  readonly scheduler: Scheduler;
  readonly owner: string;
  readonly random: () => number;
  readonly options: ReconcilerOptions;
  readonly blocks: BlockList;
  /** Appends to the event log. */
  log(entry: EventLogEntry, signal?: AbortSignal): Promise<void>;
}

/** Builds the {@link Engine} of a reconciler from its deps (options merged over the defaults). */
export function createEngine(deps: RoleReconcilerDeps): Engine {
  const options: ReconcilerOptions = { ...DEFAULT_RECONCILER_OPTIONS, ...deps.options };
  const { eventLog } = deps;
  return {
    queue: deps.queue,
    ledger: deps.ledger,
    members: deps.members,
    profiles: deps.profiles,
    clock: deps.clock,
    scheduler: deps.scheduler,
    owner: deps.owner,
    random: deps.random ?? Math.random,
    options,
    blocks: createBlockList({ probeMs: options.probeMs }),
    log: (entry, signal) => eventLog.append(entry, { signal }),
  };
}

/** Context shared by the members of one batch (or of one dry run). */
export interface BatchContext {
  settings: RoleSyncSettings;
  gateway: GuildGateway;
  managed: ReadonlySet<string>;
  /** The guild listing of a bulk round; `null` in per-member mode. */
  snapshot: GuildSnapshot | null;
  summary: RunSummary;
  /** The hard stop: store writes that record what was done run under it only. */
  hard?: AbortSignal;
}

/** Linked members grouped by the Discord account they link. */
export function groupLinked(list: readonly LinkedMember[]): Map<string, LinkedMember[]> {
  const map = new Map<string, LinkedMember[]>();
  for (const member of list) {
    const group = map.get(member.discordUserId) ?? [];
    group.push(member);
    map.set(member.discordUserId, group);
  }
  return map;
}
