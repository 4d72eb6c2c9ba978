import type {
  AvatarRef,
  Clock,
  DiscordGuildMember,
  EventLog,
  EventLogEntry,
  Grant,
  GrantLedger,
  GuildGateway,
  IoOptions,
  LinkedMembers,
  MemberProfiles,
  RoleChangeRequest,
  Scheduler,
  SyncEntry,
  SyncItem,
  SyncQueue,
  SyncState,
} from "../src/index";

/** Fake time: a clock and a scheduler whose sleeps only fire when the test advances time. */
export class FakeTime {
  nowMs: number;
  private timers: { at: number; resolve: () => void; id: number }[] = [];
  private seq = 0;

  constructor(start = Date.UTC(2026, 0, 1)) {
    this.nowMs = start;
  }

  readonly clock: Clock = { now: () => new Date(this.nowMs) };

  readonly scheduler: Scheduler = {
    sleep: (ms, opts) =>
      new Promise<void>((resolve) => {
        const id = ++this.seq;
        const signal = opts?.signal;
        if (signal?.aborted) return resolve();
        const timer = { at: this.nowMs + Math.max(0, ms), resolve, id };
        this.timers.push(timer);
        signal?.addEventListener(
          "abort",
          () => {
            this.timers = this.timers.filter((t) => t.id !== id);
            resolve();
          },
          { once: true },
        );
      }),
  };

  /** Pending timers. */
  get pending(): number {
    return this.timers.length;
  }

  /** Moves time forward by `ms`, firing due timers in order. */
  advance(ms: number): void {
    const target = this.nowMs + ms;
    for (;;) {
      this.timers.sort((a, b) => a.at - b.at || a.id - b.id);
      const next = this.timers[0];
      if (!next || next.at > target) break;
      this.timers.shift();
      this.nowMs = Math.max(this.nowMs, next.at);
      next.resolve();
    }
    this.nowMs = target;
  }

  /** Fires the earliest timer (moving time to it); `false` when none. */
  fireNext(): boolean {
    this.timers.sort((a, b) => a.at - b.at || a.id - b.id);
    const next = this.timers.shift();
    if (!next) return false;
    this.nowMs = Math.max(this.nowMs, next.at);
    next.resolve();
    return true;
  }
}

/** Lets every pending promise chain settle (the fakes are all in memory). */
export function flush(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

interface MemberRow {
  id: string;
  discordUserId: string | null;
  attrs: Record<string, unknown>;
  displayName: string | null;
  avatarHash: string | null;
  avatarBytes: Uint8Array | null;
}

interface SyncRow {
  memberId: string;
  nextDueAt: number | null;
  dirty: boolean;
  version: number;
  attempts: number;
  state: SyncState | null;
  lastError: string | null;
  leaseOwner: string | null;
  leaseExpiresAt: number | null;
  checkedAt: number | null;
}

/**
 * An in-memory store with the semantics the SQL stores implement: member changes mark the member
 * due like the database triggers do (NULL transitions included), claims lease, completes are
 * conditional on the lease and keep a member due when its version moved.
 */
export class MemoryStore {
  readonly members = new Map<string, MemberRow>();
  readonly sync = new Map<string, SyncRow>();
  readonly grants = new Map<string, Grant>();
  /** The applied-settings fingerprint (`SyncQueue.appliedSettings`). */
  applied: string | null = null;
  /** Counts of port calls, by method. */
  readonly calls: Record<string, number> = {};

  constructor(private readonly time: FakeTime) {}

  private count(name: string) {
    this.calls[name] = (this.calls[name] ?? 0) + 1;
  }

  private markDue(memberId: string) {
    const row = this.sync.get(memberId) ?? this.newRow(memberId);
    row.nextDueAt = this.time.nowMs;
    row.dirty = true;
    row.version += 1;
    this.sync.set(memberId, row);
  }

  private newRow(memberId: string): SyncRow {
    return {
      memberId,
      nextDueAt: null,
      dirty: false,
      version: 0,
      attempts: 0,
      state: null,
      lastError: null,
      leaseOwner: null,
      leaseExpiresAt: null,
      checkedAt: null,
    };
  }

  // ---- the host application's writes (what the triggers watch) ----

  insertMember(m: { id: string; discordUserId?: string | null; attrs?: Record<string, unknown> }): void {
    this.members.set(m.id, {
      id: m.id,
      discordUserId: m.discordUserId ?? null,
      attrs: { ...m.attrs },
      displayName: null,
      avatarHash: null,
      avatarBytes: null,
    });
    if (m.discordUserId) this.markDue(m.id);
  }

  updateMember(id: string, patch: { discordUserId?: string | null; attrs?: Record<string, unknown> }): void {
    const row = this.members.get(id);
    if (!row) throw new Error(`no member ${id}`);
    let changed = false;
    if (patch.discordUserId !== undefined && patch.discordUserId !== row.discordUserId) {
      row.discordUserId = patch.discordUserId;
      changed = true;
    }
    for (const [key, value] of Object.entries(patch.attrs ?? {})) {
      if (!Object.is(row.attrs[key], value)) {
        row.attrs[key] = value;
        changed = true;
      }
    }
    if (changed) this.markDue(id);
  }

  deleteMember(id: string): void {
    this.members.delete(id);
    if (this.sync.has(id)) this.markDue(id);
  }

  /** Marks settled: every linked member checked now and not due (a steady state). */
  settleAll(): void {
    for (const row of this.sync.values()) {
      row.nextDueAt = null;
      row.dirty = false;
      row.checkedAt = this.time.nowMs;
    }
  }

  /** Due at `now`, or by `dueBy` when not in backoff (the look-ahead never cuts a backoff short). */
  private isDue(row: SyncRow, now: number, dueBy: number): boolean {
    if (row.nextDueAt === null) return false;
    return row.nextDueAt <= now || (row.nextDueAt <= dueBy && row.state !== "retrying");
  }

  private entry(row: SyncRow, columns: readonly string[]): SyncEntry {
    const member = this.members.get(row.memberId) ?? null;
    const attributes: Record<string, unknown> = {};
    for (const c of columns) attributes[c] = member?.attrs[c];
    return {
      memberId: row.memberId,
      discordUserId: member?.discordUserId ?? null,
      deleted: member === null,
      attributes,
      profile: { displayName: member?.displayName ?? null, avatarHash: member?.avatarHash ?? null },
      attempts: row.attempts,
      state: row.state,
      dirty: row.dirty,
      dueAt: new Date(row.nextDueAt ?? this.time.nowMs),
      version: row.version,
    };
  }

  readonly queue: SyncQueue = {
    claimDue: async (opts) => {
      this.count("claimDue");
      const now = opts.now.getTime();
      const dueBy = (opts.dueBy ?? opts.now).getTime();
      const rows = [...this.sync.values()]
        .filter((r) => this.isDue(r, now, dueBy))
        .filter((r) => r.leaseOwner === null || (r.leaseExpiresAt ?? 0) <= now)
        .sort(
          (a, b) =>
            Number(b.dirty) - Number(a.dirty) ||
            (a.nextDueAt ?? 0) - (b.nextDueAt ?? 0) ||
            a.memberId.localeCompare(b.memberId),
        )
        .slice(0, opts.limit);
      return rows.map((row): SyncItem => {
        row.leaseOwner = opts.owner;
        row.leaseExpiresAt = now + opts.leaseMs;
        return {
          ...this.entry(row, opts.columns),
          leaseOwner: opts.owner,
          leaseExpiresAt: new Date(row.leaseExpiresAt),
        };
      });
    },
    complete: async (item, outcome) => {
      this.count("complete");
      const row = this.sync.get(item.memberId);
      if (
        !row ||
        row.leaseOwner !== item.leaseOwner ||
        row.leaseExpiresAt !== item.leaseExpiresAt.getTime()
      ) {
        return false;
      }
      const moved = row.version !== item.version;
      if (outcome.forget && !moved) {
        this.sync.delete(item.memberId);
        return true;
      }
      row.state = outcome.state;
      row.attempts = outcome.attempts;
      row.lastError = outcome.lastError;
      row.checkedAt = outcome.checkedAt.getTime();
      row.leaseOwner = null;
      row.leaseExpiresAt = null;
      if (!moved) {
        row.nextDueAt = outcome.nextDueAt?.getTime() ?? null;
        row.dirty = false;
      }
      return true;
    },
    completeMany: async (results) => {
      this.count("completeMany");
      let n = 0;
      for (const { item, outcome } of results) if (await this.queue.complete(item, outcome)) n += 1;
      return n;
    },
    release: async (item) => {
      this.count("release");
      const row = this.sync.get(item.memberId);
      if (
        !row ||
        row.leaseOwner !== item.leaseOwner ||
        row.leaseExpiresAt !== item.leaseExpiresAt.getTime()
      ) {
        return false;
      }
      row.leaseOwner = null;
      row.leaseExpiresAt = null;
      return true;
    },
    markDue: async (opts) => {
      this.count("markDue");
      let n = 0;
      for (const row of this.sync.values()) {
        const byId = opts.memberIds?.includes(row.memberId) ?? false;
        const byState = row.state !== null && (opts.states?.includes(row.state) ?? false);
        if (!byId && !byState) continue;
        row.nextDueAt = opts.now.getTime();
        row.dirty = true;
        row.version += 1;
        n += 1;
      }
      return n;
    },
    scheduleFullPass: async (opts) => {
      this.count("scheduleFullPass");
      let n = 0;
      for (const member of this.members.values()) {
        if (!member.discordUserId) continue;
        let row = this.sync.get(member.id);
        if (!row) {
          row = this.newRow(member.id);
          this.sync.set(member.id, row);
        }
        const stale = row.checkedAt === null || row.checkedAt < opts.checkedBefore.getTime();
        const notDue = row.nextDueAt === null || row.nextDueAt > opts.now.getTime();
        const inBackoff = row.state === "retrying" && row.nextDueAt !== null;
        if (stale && notDue && !inBackoff) {
          row.nextDueAt = opts.now.getTime();
          n += 1;
        }
      }
      return n;
    },
    countDue: async (opts) => {
      this.count("countDue");
      const now = opts.now.getTime();
      const dueBy = (opts.dueBy ?? opts.now).getTime();
      return [...this.sync.values()].filter((r) => this.isDue(r, now, dueBy)).length;
    },
    appliedSettings: async () => {
      this.count("appliedSettings");
      return this.applied;
    },
    saveAppliedSettings: async (opts) => {
      this.count("saveAppliedSettings");
      this.applied = opts.fingerprint;
    },
    scan: async (opts) => {
      this.count("scan");
      return [...this.sync.values()]
        .sort((a, b) => a.memberId.localeCompare(b.memberId))
        .filter((r) => opts.after === null || r.memberId > opts.after)
        .slice(0, opts.limit)
        .map((r) => this.entry(r, opts.columns));
    },
  };

  private key(g: Grant) {
    return `${g.memberId}|${g.discordUserId}|${g.roleId}`;
  }

  readonly ledger: GrantLedger = {
    list: async (opts) => {
      this.count("ledger.list");
      return [...this.grants.values()].filter((g) => opts.memberIds.includes(g.memberId));
    },
    add: async (opts) => {
      this.count("ledger.add");
      for (const g of opts.grants) this.grants.set(this.key(g), { ...g });
    },
    remove: async (opts) => {
      this.count("ledger.remove");
      for (const g of opts.grants) this.grants.delete(this.key(g));
    },
  };

  readonly linked: LinkedMembers = {
    findByDiscordIds: async (opts) => {
      this.count("findByDiscordIds");
      return [...this.members.values()]
        .filter((m) => m.discordUserId !== null && opts.discordUserIds.includes(m.discordUserId))
        .map((m) => {
          const attributes: Record<string, unknown> = {};
          for (const c of opts.columns) attributes[c] = m.attrs[c];
          return { memberId: m.id, discordUserId: m.discordUserId!, attributes };
        });
    },
  };

  readonly profiles: MemberProfiles = {
    save: async (update) => {
      this.count("profiles.save");
      const row = this.members.get(update.memberId);
      if (!row) return;
      row.displayName = update.displayName;
      if (update.avatar) {
        row.avatarHash = update.avatar.hash;
        row.avatarBytes = update.avatar.bytes;
      }
    },
  };

  /** Grants as sorted `member|account|role` strings. */
  grantKeys(): string[] {
    return [...this.grants.keys()].sort();
  }

  row(memberId: string): SyncRow | undefined {
    return this.sync.get(memberId);
  }
}

/** A Discord-like error with the structural fields of `DiscordApiError`. */
export function discordError(
  status: number | null,
  code: number | null,
  opts: { retryable?: boolean; retryAfterMs?: number | null; message?: string } = {},
): Error & Record<string, unknown> {
  const error = new Error(opts.message ?? `Discord error ${status ?? "network"} ${code ?? ""}`) as Error &
    Record<string, unknown>;
  error.name = "DiscordApiError";
  error.status = status;
  error.code = code;
  error.retryable =
    opts.retryable ?? (status === null || status === 429 || (status !== null && status >= 500));
  error.retryAfterMs = opts.retryAfterMs ?? null;
  error.route = "/guilds/:guild_id/members/:user_id";
  return error;
}

interface GuildMemberRow {
  user: { id: string; username: string; global_name: string | null; avatar: string | null };
  nick: string | null;
  avatar: string | null;
  roles: string[];
}

type Op = "getMember" | "listMembers" | "addRole" | "removeRole" | "fetchAvatar";

/** A fake guild behind the {@link GuildGateway} port, with scripted failures and call counts. */
export class FakeGuild {
  readonly members = new Map<string, GuildMemberRow>();
  readonly calls: { op: Op; userId?: string; roleId?: string; reason?: string }[] = [];
  /** Errors thrown by role calls for a role (every call), e.g. 50013 for a role above the bot. */
  readonly roleErrors = new Map<string, Error>();
  /** Errors for the next calls of an operation (consumed in order). */
  readonly nextErrors = new Map<Op, Error[]>();
  /** Avatar downloads fail with this error. */
  avatarError: Error | null = null;
  /** Called at the start of every call (e.g. to advance fake time). */
  onCall: ((op: Op, signal?: AbortSignal) => Promise<void> | void) | null = null;

  add(
    userId: string,
    opts: Partial<Omit<GuildMemberRow, "user">> & {
      username?: string;
      globalName?: string | null;
      userAvatar?: string | null;
    } = {},
  ) {
    this.members.set(userId, {
      user: {
        id: userId,
        username: opts.username ?? `user${userId.slice(-4)}`,
        global_name: opts.globalName ?? null,
        avatar: opts.userAvatar ?? null,
      },
      nick: opts.nick ?? null,
      avatar: opts.avatar ?? null,
      roles: [...(opts.roles ?? [])],
    });
  }

  roles(userId: string): string[] | null {
    const m = this.members.get(userId);
    return m ? [...m.roles].sort() : null;
  }

  count(op: Op): number {
    return this.calls.filter((c) => c.op === op).length;
  }

  private async enter(
    op: Op,
    io: IoOptions | undefined,
    extra: { userId?: string; roleId?: string; reason?: string },
  ) {
    this.calls.push({ op, ...extra });
    await this.onCall?.(op, io?.signal);
    if (io?.signal?.aborted) {
      throw Object.assign(new Error("aborted"), { name: "AbortError" });
    }
    const queued = this.nextErrors.get(op);
    if (queued && queued.length > 0) throw queued.shift();
  }

  private view(row: GuildMemberRow): DiscordGuildMember {
    return { user: { ...row.user }, nick: row.nick, avatar: row.avatar, roles: [...row.roles] };
  }

  readonly gateway: GuildGateway = {
    getMember: async (opts, io) => {
      await this.enter("getMember", io, { userId: opts.userId });
      const row = this.members.get(opts.userId);
      return row ? this.view(row) : null;
    },
    listMembers: async (opts, io) => {
      await this.enter("listMembers", io, {});
      const after = opts.after === null ? -1n : BigInt(opts.after);
      return [...this.members.keys()]
        .map((id) => BigInt(id))
        .filter((id) => id > after)
        .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
        .slice(0, opts.limit)
        .map((id) => this.view(this.members.get(String(id))!));
    },
    addRole: async (opts: RoleChangeRequest, io) => {
      await this.enter("addRole", io, { userId: opts.userId, roleId: opts.roleId, reason: opts.reason });
      const err = this.roleErrors.get(opts.roleId);
      if (err) throw err;
      const row = this.members.get(opts.userId);
      if (!row) throw discordError(404, 10007, { message: "Unknown Member" });
      if (!row.roles.includes(opts.roleId)) row.roles.push(opts.roleId);
    },
    removeRole: async (opts: RoleChangeRequest, io) => {
      await this.enter("removeRole", io, { userId: opts.userId, roleId: opts.roleId, reason: opts.reason });
      const err = this.roleErrors.get(opts.roleId);
      if (err) throw err;
      const row = this.members.get(opts.userId);
      if (!row) throw discordError(404, 10007, { message: "Unknown Member" });
      row.roles = row.roles.filter((r) => r !== opts.roleId);
    },
    fetchAvatar: async (opts: AvatarRef, io) => {
      await this.enter("fetchAvatar", io, { userId: opts.userId });
      if (this.avatarError) throw this.avatarError;
      return new TextEncoder().encode(`png:${opts.source}:${opts.hash}`);
    },
  };
}

/** An event log that keeps entries in memory. */
export class MemoryEventLog implements EventLog {
  readonly entries: EventLogEntry[] = [];
  async append(entry: EventLogEntry): Promise<void> {
    this.entries.push(entry);
  }
  kinds(): string[] {
    return this.entries.map((e) => e.kind);
  }
  ofKind(kind: string): EventLogEntry[] {
    return this.entries.filter((e) => e.kind === kind);
  }
}

/** Snowflake-like ids for tests. */
export const ROLE_PAID = "900000000000000001";
export const ROLE_GOLD = "900000000000000002";
export const ROLE_SILVER = "900000000000000003";
export const GUILD = "800000000000000001";

/** A Discord user id for test index `n`. */
export function uid(n: number): string {
  return String(100000000000000000n + BigInt(n));
}
