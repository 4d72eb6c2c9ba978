import type {
  AvatarRef,
  Clock,
  DiscordGuildMember,
  GuildGateway,
  IoOptions,
  MemberRemovalRequest,
  RoleChangeRequest,
  Scheduler,
} from "../src/index";
import { createMemoryRoleSyncStore, type MemoryRoleSyncStore } from "../src/testing";

/**
 * Fake time whose `advance` is synchronous (a test can move time from inside a fake Discord call):
 * a clock and a scheduler whose sleeps and timers only fire when the test advances time.
 * `@guildkit/core/testing`'s `createFakeTime` is the asynchronous one.
 */
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
    setTimer: (at, fn) => {
      const timer = { at: Math.max(at.getTime(), this.nowMs), resolve: fn, id: ++this.seq };
      this.timers.push(timer);
      return timer.id;
    },
    clear: (handle) => {
      this.timers = this.timers.filter((t) => t.id !== handle);
    },
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

/**
 * The store of these tests is `createMemoryRoleSyncStore` (`@guildkit/role-reconciler/testing`),
 * held to the SQL stores' conformance kits.
 */
export function createStore(time: FakeTime): MemoryRoleSyncStore {
  return createMemoryRoleSyncStore({ clock: time.clock });
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

type Op = "getMember" | "listMembers" | "addRole" | "removeRole" | "removeMember" | "fetchAvatar";

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
    removeMember: async (opts: MemberRemovalRequest, io) => {
      await this.enter("removeMember", io, { userId: opts.userId, reason: opts.reason });
      if (!this.members.delete(opts.userId)) throw discordError(404, 10007, { message: "Unknown Member" });
    },
    fetchAvatar: async (opts: AvatarRef, io) => {
      await this.enter("fetchAvatar", io, { userId: opts.userId });
      if (this.avatarError) throw this.avatarError;
      return new TextEncoder().encode(`png:${opts.source}:${opts.hash}`);
    },
  };
}

/** An event log that keeps entries in memory (`@guildkit/core/testing`). */
export { createMemoryEventLog } from "@guildkit/core/testing";

/** Snowflake-like ids for tests. */
export const ROLE_PAID = "900000000000000001";
export const ROLE_GOLD = "900000000000000002";
export const ROLE_SILVER = "900000000000000003";
export const GUILD = "800000000000000001";

/** A Discord user id for test index `n`. */
export function uid(n: number): string {
  return String(100000000000000000n + BigInt(n));
}
