import { decodeId, decodeTime, listTables } from "@guildkit/store-kysely";
import { type Kysely, sql } from "kysely";
import { describe, expect, it } from "vitest";
import { defineStoreCases, type HostMembersShape, type TestStoreHandle } from "../define";
import { defineMemberAccountsCases } from "../ports/member-accounts";
import { defineRoleLedgerCases } from "../ports/role-sync-ledger";
import { defineSyncQueueCases } from "../ports/role-sync-queue";
import type { RoleSyncSubject, SyncRowView } from "../ports/role-sync-subject";
import { defineSessionStoreCases } from "../ports/session-store";
import { sessionRow } from "./sessions";

// biome-ignore lint/suspicious/noExplicitAny: backdoor reads on a host's table
type Db = Kysely<any>;
// biome-ignore lint/suspicious/noExplicitAny: a row of any table
type AnyRow = Record<string, any>;

const T0 = new Date("2026-01-01T00:00:00.000Z");

/** The host's writes and guildkit's rows, straight from the tables, for the role-sync kits. */
function roleSyncSubject({ store, db }: TestStoreHandle, shape: HostMembersShape): RoleSyncSubject {
  const m = shape.members;
  const d: Db = db;
  const column = (key: string | null | undefined) => key as string;
  return {
    ruleColumn: column(m.paymentStatus),
    queue: store.roleSync.queue,
    ledger: store.roleSync.ledger,
    linkedMembers: store.roleSync.linkedMembers,
    profiles: store.roleSync.profiles,
    async createMember({ discordUserId, paymentStatus }) {
      const row = await d
        .insertInto(m.table)
        .values({ [m.discordUserId]: discordUserId, [column(m.paymentStatus)]: paymentStatus })
        .returning(`${m.id} as id`)
        .executeTakeFirstOrThrow();
      return decodeId(row.id);
    },
    async updateMember(id, patch) {
      const set: AnyRow = {};
      if (patch.discordUserId !== undefined) set[m.discordUserId] = patch.discordUserId;
      if (patch.paymentStatus !== undefined) set[column(m.paymentStatus)] = patch.paymentStatus;
      await d.updateTable(m.table).set(set).where(m.id, "=", id).execute();
    },
    async deleteMember(id) {
      await d.deleteFrom(m.table).where(m.id, "=", id).execute();
    },
    async syncRow(memberId): Promise<SyncRowView | null> {
      const row: AnyRow | undefined = await d
        .selectFrom("role_sync_state")
        .selectAll()
        .where("member_id", "=", memberId)
        .executeTakeFirst();
      if (!row) return null;
      return {
        leaseOwner: row.lease_owner ?? null,
        state: row.state ?? null,
        dirty: row.dirty === true || row.dirty === 1,
        version: Number(row.version),
        nextDueAt: decodeTime(row.next_due_at),
        attempts: Number(row.attempts ?? 0),
        lastError: row.last_error ?? null,
      };
    },
    async dropSyncRow(memberId) {
      await d.deleteFrom("role_sync_state").where("member_id", "=", memberId).execute();
    },
    async grantKeys() {
      const rows: AnyRow[] = await d.selectFrom("role_grants").selectAll().execute();
      return rows.map((r) => `${decodeId(r.member_id)}|${r.discord_user_id}|${r.role_id}`).sort();
    },
    async grantDetails() {
      const rows: AnyRow[] = await d.selectFrom("role_grants").selectAll().execute();
      return rows
        .map(
          (r) =>
            `${decodeId(r.member_id)}|${r.discord_user_id}|${r.role_id}|${r.origin ?? null}|${decodeTime(r.lapsed_at)?.toISOString() ?? null}`,
        )
        .sort();
    },
    async profile(memberId) {
      const row: AnyRow | undefined = await d
        .selectFrom(m.table)
        .select([
          `${m.discordUsername} as name`,
          `${column(m.discordAvatarHash)} as hash`,
          `${column(m.discordAvatar)} as bytes`,
        ])
        .where(m.id, "=", memberId)
        .executeTakeFirst();
      if (!row) return null;
      return {
        displayName: row.name ?? null,
        avatarHash: row.hash ?? null,
        avatarBytes: row.bytes ? [...(row.bytes as Uint8Array)] : null,
      };
    },
  };
}

/**
 * The member-facing conformance cases on a host's own member table (the harness's `hostMembers`):
 * the role-sync, member-accounts and session kits through the store's ports, the host's writes and
 * the read-backs straight on its table; guildkit creates no `members` table there, role sync's
 * triggers watch the host's columns, and sessions reference the host's id column. Skipped on the
 * default shape (the other cases cover it).
 */
export const hostMemberCases = defineStoreCases("host member table", ({ fresh, dialect, hostMembers }) => {
  if (hostMembers === null) return;
  const m = hostMembers.members;
  const subject = async () => roleSyncSubject(await fresh(), hostMembers);

  it("migrate() creates no members table and leaves the host's table as it was", async () => {
    const { db } = await fresh();
    const tables = await listTables(db, dialect);
    expect(tables).toContain(m.table);
    expect(tables).not.toContain("members");
    const { rows } = await sql<{ name: string }>`${
      dialect === "postgres"
        ? sql`select column_name as name from information_schema.columns
            where table_schema = current_schema() and table_name = ${m.table} order by ordinal_position`
        : sql`select name from pragma_table_info(${m.table})`
    }`.execute(db);
    expect(rows.map((r) => r.name)).toEqual([
      "user_id",
      "login_email",
      "plan",
      "locale",
      "discord_id",
      "discord_mail",
      "discord_name",
      "discord_avatar_key",
      "discord_avatar_png",
    ]);
  });

  it("migrate({ features: [\"role-sync\"] }) creates only role sync's tables beside the host's", async () => {
    const { store, db } = await fresh({ migrate: false });
    await store.migrate({ features: ["role-sync"] });
    expect(await listTables(db, dialect)).toEqual(
      [
        m.table,
        "admin_sessions",
        "config_versions",
        "discord_link_conflicts",
        "event_log",
        "guildkit_migration",
        "guildkit_migration_lock",
        "role_connection_state",
        "role_grants",
        "role_sync_settings",
        "role_sync_state",
        "task_status",
      ].sort(),
    );
  });

  it("a change of the host's Discord id or entitlement column marks the member due; another column does not", async () => {
    const { store, db } = await fresh();
    const d: Db = db;
    const { id } = await d
      .insertInto(m.table)
      .values({ [m.discordUserId]: "77", locale: "fr" })
      .returning(`${m.id} as id`)
      .executeTakeFirstOrThrow();
    const due = () => store.roleSync.queue.countDue({ now: T0 });
    expect(await due()).toBe(1);
    const [item] = await store.roleSync.queue.claimDue({
      owner: "w",
      leaseMs: 1000,
      limit: 1,
      now: T0,
      columns: [],
    });
    await store.roleSync.queue.complete(item!, {
      state: "ok",
      checkedAt: T0,
      nextDueAt: null,
      attempts: 0,
      lastError: null,
      forget: false,
    });
    await d.updateTable(m.table).set({ locale: "de" }).where(m.id, "=", id).execute();
    expect(await due()).toBe(0);
    await d.updateTable(m.table).set({ plan: "gold" }).where(m.id, "=", id).execute();
    expect(await due()).toBe(1);
  });

  it("migrating for role sync on a host table that lacks a named column fails with MembersTableMismatchError", async () => {
    const error = await fresh({ members: { ...m, discordUserId: "discord_snowflake" } }).catch((e) => e);
    expect(String((error as Error).message)).toMatch(/discord_snowflake/);
    expect((error as Error & { cause?: unknown }).cause).toMatchObject({
      name: "MembersTableMismatchError",
      missingColumns: ["discord_snowflake"],
    });
  });

  describe("SyncQueue", () => defineSyncQueueCases(subject));
  describe("GrantLedger, LinkedMembers, MemberProfiles", () => defineRoleLedgerCases(subject));

  describe("MemberAccounts port", () =>
    defineMemberAccountsCases(async () => {
      const { store, db } = await fresh();
      const d: Db = db;
      return {
        accounts: store.oauth.memberAccounts,
        async createMember(input) {
          const row = await d
            .insertInto(m.table)
            .values({
              [m.email as string]: input.email,
              [m.discordUserId]: input.discordUserId ?? null,
              [m.discordEmail as string]: input.discordEmail ?? null,
              [m.discordUsername as string]: input.discordUsername ?? null,
            })
            .returning(`${m.id} as id`)
            .executeTakeFirstOrThrow();
          return decodeId(row.id);
        },
        async row(memberId) {
          if (!/^\d+$/.test(memberId)) return null;
          const row: AnyRow | undefined = await d
            .selectFrom(m.table)
            .select([
              `${m.email} as email`,
              `${m.discordUserId} as discord_user_id`,
              `${m.discordEmail} as discord_email`,
              `${m.discordUsername} as discord_username`,
            ])
            .where(m.id, "=", memberId)
            .executeTakeFirst();
          return row
            ? {
                email: row.email,
                discordUserId: row.discord_user_id,
                discordEmail: row.discord_email,
                discordUsername: row.discord_username,
              }
            : null;
        },
        async count() {
          const row = await d.selectFrom(m.table).select(d.fn.countAll().as("n")).executeTakeFirstOrThrow();
          return Number(row.n);
        },
      };
    }));

  let emails = 0;
  describe("SessionStore port", () =>
    defineSessionStoreCases(async () => {
      const { store, db } = await fresh();
      return {
        sessions: store.oauth.sessions,
        createMember: async () => (await store.members.create({ email: `h${++emails}@example.test` })).id,
        row: (idHash) => sessionRow(db as Db, idHash),
      };
    }));

  it("sessions reference the host's id column: deleting the host's row deletes its sessions", async () => {
    const { store, db } = await fresh();
    const member = await store.members.create({ email: "fk@example.test", discordUserId: "42" });
    expect(member).toMatchObject({ email: "fk@example.test", discordUserId: "42", name: null });
    await store.oauth.sessions.create({
      idHash: "h".repeat(64),
      memberId: member.id,
      createdAt: T0,
      expiresAt: new Date(T0.getTime() + 3_600_000),
    });
    await (db as Db).deleteFrom(m.table).where(m.id, "=", member.id).execute();
    const left = await (db as Db).selectFrom("sessions").selectAll().execute();
    expect(left).toEqual([]);
  });
});
