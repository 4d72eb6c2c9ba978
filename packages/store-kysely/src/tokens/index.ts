import type { SecretBox } from "@guildkit/core";
import type { KeptGrant, KeptGrantRef, KeptGrantStatus, MemberTokenStore } from "@guildkit/oauth-state";
import { type Kysely, sql } from "kysely";
import { decodeId, decodeInteger, decodeTime, encodeTime } from "../codec";
import type { Dialect } from "../dialect";
import { DEFAULT_MEMBERS_TABLE, type MembersTable } from "../members-table/shape";
import type { Database } from "../schema";
import { SecretKeyRequiredError } from "../secrets/errors";

/** The context a member's token is sealed for: a sealed value copied to another row or column does not open. */
export function memberTokenContext(memberId: string, column: "access_token" | "refresh_token"): string {
  return `member_oauth_tokens:${memberId}:${column}`;
}

const STATUS_COLUMNS = [
  "member_id",
  "discord_user_id",
  "scopes",
  "expires_at",
  "consent_needed_at",
  "updated_at",
  "version",
] as const;

type StatusRow = {
  member_id: unknown;
  discord_user_id: string;
  scopes: string;
  expires_at: unknown;
  consent_needed_at: unknown;
  updated_at: unknown;
  version: unknown;
};

function statusOf(row: StatusRow): KeptGrantStatus {
  return {
    memberId: decodeId(row.member_id),
    discordUserId: row.discord_user_id,
    scopes: row.scopes.split(" ").filter(Boolean),
    expiresAt: decodeTime(row.expires_at) as Date,
    consentNeededAt: decodeTime(row.consent_needed_at),
    updatedAt: decodeTime(row.updated_at) as Date,
    version: decodeInteger(row.version),
  };
}

const refOf = (row: StatusRow): KeptGrantRef => {
  const s = statusOf(row);
  return { memberId: s.memberId, discordUserId: s.discordUserId, version: s.version, expiresAt: s.expiresAt };
};

/**
 * `MemberTokenStore` of `@guildkit/oauth-state` on `member_oauth_tokens` (migration
 * `012-member-tokens`): both tokens sealed with `box` (AES-256-GCM, the store's `secretBox`, keyed from
 * `GUILDKIT_SECRET_KEY`; `secrets.rotate()` re-seals them), writes compare-and-set on `version`,
 * orphans found by joining the members table. Without a box `save` and `replace` throw
 * `SecretKeyRequiredError` (nothing written). The same SQL on both dialects.
 */
export function createMemberTokenStore(
  db: Kysely<Database>,
  dialect: Dialect,
  box: SecretBox | null,
  members: MembersTable = DEFAULT_MEMBERS_TABLE,
): MemberTokenStore {
  const t = (date: Date) => encodeTime(dialect, date);
  /** Postgres refuses a non-numeric id for an integer column (22P02): no such member. */
  const isBadId = (error: unknown) =>
    dialect === "postgres" && (error as { code?: unknown } | null)?.code === "22P02";
  const orNone = async <T>(run: () => Promise<T>, none: T): Promise<T> => {
    try {
      return await run();
    } catch (error) {
      if (isBadId(error)) return none;
      throw error;
    }
  };
  const needBox = (): SecretBox => {
    if (box !== null) return box;
    throw new SecretKeyRequiredError({
      migration: null,
      locations: ["member_oauth_tokens"],
      what: "keeping a member's OAuth tokens needs the key (they are stored encrypted)",
    });
  };
  async function sealed(
    memberId: string,
    accessToken: string,
    refreshToken: string | null,
    signal?: AbortSignal,
  ) {
    const key = needBox();
    const access = await key.seal(accessToken, {
      context: memberTokenContext(memberId, "access_token"),
      signal,
    });
    const refresh =
      refreshToken === null
        ? null
        : await key.seal(refreshToken, { context: memberTokenContext(memberId, "refresh_token"), signal });
    return { access_token: access, refresh_token: refresh };
  }

  return {
    async save({ memberId, discordUserId, accessToken, refreshToken, scopes, expiresAt, now }, opts = {}) {
      opts.signal?.throwIfAborted();
      const tokens = await sealed(memberId, accessToken, refreshToken, opts.signal);
      const values = {
        discord_user_id: discordUserId,
        ...tokens,
        scopes: [...scopes].join(" "),
        expires_at: t(expiresAt),
        consent_needed_at: null,
        updated_at: t(now),
      };
      await db
        .insertInto("member_oauth_tokens")
        .values({ member_id: memberId, ...values, version: 1 })
        .onConflict((oc) =>
          oc.column("member_id").doUpdateSet({ ...values, version: sql`member_oauth_tokens.version + 1` }),
        )
        .execute();
    },

    async read({ memberId }, opts = {}): Promise<KeptGrant | null> {
      opts.signal?.throwIfAborted();
      const row = await orNone(
        () =>
          db
            .selectFrom("member_oauth_tokens")
            .select([...STATUS_COLUMNS, "access_token", "refresh_token"])
            .where("member_id", "=", memberId)
            .executeTakeFirst(),
        undefined,
      );
      if (row === undefined) return null;
      const key = needBox();
      const id = decodeId(row.member_id);
      const accessToken = await key.open(row.access_token, {
        context: memberTokenContext(id, "access_token"),
        signal: opts.signal,
      });
      const refreshToken =
        row.refresh_token === null
          ? null
          : await key.open(row.refresh_token, {
              context: memberTokenContext(id, "refresh_token"),
              signal: opts.signal,
            });
      return { ...statusOf(row), accessToken, refreshToken };
    },

    async status({ memberId }, opts = {}) {
      opts.signal?.throwIfAborted();
      const row = await orNone(
        () =>
          db
            .selectFrom("member_oauth_tokens")
            .select([...STATUS_COLUMNS])
            .where("member_id", "=", memberId)
            .executeTakeFirst(),
        undefined,
      );
      return row === undefined ? null : statusOf(row);
    },

    async replace({ memberId, version, accessToken, refreshToken, scopes, expiresAt, now }, opts = {}) {
      opts.signal?.throwIfAborted();
      const tokens = await sealed(memberId, accessToken, refreshToken, opts.signal);
      const result = await orNone(
        () =>
          db
            .updateTable("member_oauth_tokens")
            .set({
              ...tokens,
              scopes: [...scopes].join(" "),
              expires_at: t(expiresAt),
              updated_at: t(now),
              version: sql`version + 1`,
            })
            .where("member_id", "=", memberId)
            .where("version", "=", version)
            .executeTakeFirst(),
        null,
      );
      return result !== null && Number(result.numUpdatedRows) > 0;
    },

    async markConsentNeeded({ memberId, version, now }, opts = {}) {
      opts.signal?.throwIfAborted();
      const result = await orNone(
        () =>
          db
            .updateTable("member_oauth_tokens")
            .set({ consent_needed_at: t(now), updated_at: t(now), version: sql`version + 1` })
            .where("member_id", "=", memberId)
            .where("version", "=", version)
            .executeTakeFirst(),
        null,
      );
      return result !== null && Number(result.numUpdatedRows) > 0;
    },

    async delete({ memberId, version }, opts = {}) {
      opts.signal?.throwIfAborted();
      let query = db.deleteFrom("member_oauth_tokens").where("member_id", "=", memberId);
      if (version !== undefined) query = query.where("version", "=", version);
      const result = await orNone(() => query.executeTakeFirst(), null);
      return result !== null && Number(result.numDeletedRows) > 0;
    },

    async listExpiring({ before, limit }, opts = {}) {
      opts.signal?.throwIfAborted();
      const rows = await db
        .selectFrom("member_oauth_tokens")
        .select([...STATUS_COLUMNS])
        .where("expires_at", "<", t(before))
        .where("refresh_token", "is not", null)
        .where("consent_needed_at", "is", null)
        .orderBy("expires_at", "asc")
        .orderBy("member_id", "asc")
        .limit(Math.max(0, Math.floor(limit)))
        .execute();
      return rows.map(refOf);
    },

    async listOrphans({ limit }, opts = {}) {
      opts.signal?.throwIfAborted();
      const m = sql.table(members.table);
      const id = sql.ref(`m.${members.id}`);
      const discord = sql.ref(`m.${members.discordUserId}`);
      const { rows } = await sql<StatusRow>`select t.member_id, t.discord_user_id, t.scopes, t.expires_at,
          t.consent_needed_at, t.updated_at, t.version
        from member_oauth_tokens t left join ${m} as m on ${id} = t.member_id
        where ${id} is null or ${discord} is null or cast(${discord} as text) <> t.discord_user_id
        order by t.member_id limit ${Math.max(0, Math.floor(limit))}`.execute(db);
      return rows.map(refOf);
    },
  } satisfies MemberTokenStore;
}
