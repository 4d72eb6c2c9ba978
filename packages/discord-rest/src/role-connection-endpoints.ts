import { z } from "zod";
import type { SignalOptions } from "./defaults";
import type { Pipeline } from "./request";
import { type Route, secretDigest } from "./route";
import { validate } from "./validate";

const seg = encodeURIComponent;

/**
 * A role connection metadata record as Discord takes and answers it (type 1–8: integer ≤ ≥ = ≠,
 * datetime ≤ ≥, boolean = ≠).
 * @see https://discord.com/developers/docs/resources/application-role-connection-metadata#application-role-connection-metadata-object
 */
export interface RoleConnectionMetadataRecord {
  type: number;
  key: string;
  name: string;
  description: string;
  name_localizations?: Record<string, string>;
  description_localizations?: Record<string, string>;
}

/**
 * A user's role connection for the application: values are strings (`"1"`, `"42"`, ISO 8601).
 * @see https://discord.com/developers/docs/resources/user#application-role-connection-object
 */
export interface UserRoleConnection {
  platform_name: string | null;
  platform_username: string | null;
  metadata: Record<string, string>;
}

/** The body of {@link RoleConnectionEndpoints.updateUserRoleConnection}; `{ metadata: {} }` clears. */
export interface UserRoleConnectionBody {
  platform_name?: string | null;
  platform_username?: string | null;
  metadata?: Record<string, string | number>;
}

const metadataRecordSchema = z.looseObject({
  type: z.number().int(),
  key: z.string(),
  name: z.string(),
  description: z.string(),
});

const roleConnectionSchema = z.looseObject({
  platform_name: z.string().nullable().optional(),
  platform_username: z.string().nullable().optional(),
  metadata: z.record(z.string(), z.string()).optional(),
});

/** The Linked Roles endpoints of the client. */
export interface RoleConnectionEndpoints {
  /**
   * The application's registered metadata records (bot token).
   * @see https://discord.com/developers/docs/resources/application-role-connection-metadata#get-application-role-connection-metadata-records
   */
  getRoleConnectionMetadata(
    input: { applicationId: string } & SignalOptions,
  ): Promise<RoleConnectionMetadataRecord[]>;
  /**
   * Replaces the application's metadata records (bot token; at most 5) and resolves them as Discord
   * stored them. Throws `DiscordApiError` (400 50035 with `errors` for a refused record, 403 50001
   * for another application's id).
   * @see https://discord.com/developers/docs/resources/application-role-connection-metadata#update-application-role-connection-metadata-records
   */
  updateRoleConnectionMetadata(
    input: { applicationId: string; records: readonly RoleConnectionMetadataRecord[] } & SignalOptions,
  ): Promise<RoleConnectionMetadataRecord[]>;
  /**
   * The user's role connection, with the user's access token (`role_connections.write`).
   * @see https://discord.com/developers/docs/resources/user#get-current-user-application-role-connection
   */
  getUserRoleConnection(
    input: { applicationId: string; accessToken: string } & SignalOptions,
  ): Promise<UserRoleConnection>;
  /**
   * Replaces the user's role connection with the user's access token (`role_connections.write`).
   * The token is a secret: it is sent as `Bearer`, never logged, and only a digest of it keys the
   * per-user bucket. Throws `DiscordApiError` with status 401 when Discord refuses the token (expired,
   * revoked, or without the scope), 400 50035 for values the registered records refuse.
   * @see https://discord.com/developers/docs/resources/user#update-current-user-application-role-connection
   */
  updateUserRoleConnection(
    input: { applicationId: string; accessToken: string; body: UserRoleConnectionBody } & SignalOptions,
  ): Promise<UserRoleConnection>;
}

/** Route builders of the Linked Roles endpoints. */
export const roleConnectionRoutes = {
  /** Bot token; the application is the major parameter. */
  metadata: (method: "GET" | "PUT", applicationId: string): Route => ({
    method,
    path: `/applications/${seg(applicationId)}/role-connections/metadata`,
    template: `${method} /applications/:application/role-connections/metadata`,
    major: `application:${applicationId}`,
    auth: true,
  }),
  /**
   * The user's own credential (Bearer, sent by the endpoint): `auth: false`, and the bucket is the
   * user's — a digest of the token tells users apart without holding the token.
   */
  userConnection: (method: "GET" | "PUT", applicationId: string, accessToken: string): Route => ({
    method,
    path: `/users/@me/applications/${seg(applicationId)}/role-connection`,
    template: `${method} /users/@me/applications/:application/role-connection`,
    major: `user-token:${secretDigest(accessToken)}`,
    auth: false,
  }),
};

function toConnection(value: z.output<typeof roleConnectionSchema>): UserRoleConnection {
  return {
    platform_name: value.platform_name ?? null,
    platform_username: value.platform_username ?? null,
    metadata: value.metadata ?? {},
  };
}

/** The Linked Roles side of the client. */
export function roleConnectionEndpoints(api: Pipeline): RoleConnectionEndpoints {
  const bearer = (accessToken: string) => {
    if (!accessToken) throw new TypeError("accessToken is required (the user's OAuth2 access token)");
    return { authorization: `Bearer ${accessToken}` };
  };
  return {
    async getRoleConnectionMetadata({ applicationId, signal }) {
      const route = roleConnectionRoutes.metadata("GET", applicationId);
      const response = await api.send(route, { base: "api", signal });
      return validate(metadataRecordSchema.array(), response, route) as RoleConnectionMetadataRecord[];
    },
    async updateRoleConnectionMetadata({ applicationId, records, signal }) {
      const route = roleConnectionRoutes.metadata("PUT", applicationId);
      const response = await api.send(route, { base: "api", body: records, signal });
      return validate(metadataRecordSchema.array(), response, route) as RoleConnectionMetadataRecord[];
    },
    async getUserRoleConnection({ applicationId, accessToken, signal }) {
      const headers = bearer(accessToken);
      const route = roleConnectionRoutes.userConnection("GET", applicationId, accessToken);
      const response = await api.send(route, { base: "api", headers, signal });
      return toConnection(validate(roleConnectionSchema, response, route));
    },
    async updateUserRoleConnection({ applicationId, accessToken, body, signal }) {
      const headers = bearer(accessToken);
      const route = roleConnectionRoutes.userConnection("PUT", applicationId, accessToken);
      const response = await api.send(route, { base: "api", headers, body, signal });
      return toConnection(validate(roleConnectionSchema, response, route));
    },
  };
}

/** A role connection push, as the role reconciler's `RoleConnectionClient` port asks for it. */
export interface RoleConnectionPush {
  accessToken: string;
  body: { platform_name?: string; platform_username?: string; metadata: Record<string, string> };
}

/**
 * The `RoleConnectionClient` port of `@guildkit/role-reconciler`, implemented structurally (no
 * import of the core) for one application over this client: errors pass through unchanged, with the
 * `status` (401: token refused), `code`, `retryable` and `retryAfterMs` the pusher classifies by.
 */
export interface RoleConnectionClientAdapter {
  putRoleConnection(opts: RoleConnectionPush, io?: SignalOptions): Promise<void>;
}

/** Builds the {@link RoleConnectionClientAdapter} of `applicationId` over a client's endpoints. */
export function createRoleConnectionClient(
  rest: Pick<RoleConnectionEndpoints, "updateUserRoleConnection">,
  options: { applicationId: string },
): RoleConnectionClientAdapter {
  return {
    async putRoleConnection({ accessToken, body }, io) {
      await rest.updateUserRoleConnection({
        applicationId: options.applicationId,
        accessToken,
        body,
        signal: io?.signal,
      });
    },
  };
}
