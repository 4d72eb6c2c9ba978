import type { Hono } from "hono";
import type { SimContext } from "../context";
import { DISCORD_ERRORS, invalidFormBody, notSnowflake } from "../errors";
import { answerBodyError, readJsonBody } from "../json-body";
import { apiRoleConnection } from "../objects";
import { discordError, discordRoute, type Principal, type SimEnv, type SimHonoContext } from "../pipeline";
import { checkMetadataRecords, checkRoleConnection } from "../role-connection-body";
import { isSnowflake } from "../snowflake";
import type { OAuthGrant } from "../state";
import type { SimApplication } from "../types";

/** The scope a user token needs for its role connection. */
export const ROLE_CONNECTIONS_SCOPE = "role_connections.write";

const none = () => "";

/** Linked Roles: an application's role connection metadata, and each user's role connection. */
export function registerRoleConnectionRoutes(app: Hono<SimEnv>, ctx: SimContext): void {
  registerMetadataRoutes(app, ctx);
  registerConnectionRoutes(app, ctx);
}

/** `GET`/`PUT /applications/{id}/role-connections/metadata` with the application's bot token. */
function registerMetadataRoutes(app: Hono<SimEnv>, ctx: SimContext): void {
  const { state } = ctx;

  /**
   * The application of the path, which the bot token must belong to: 50035 for a bad id, 10002
   * Unknown Application, 403 50001 for another application's.
   */
  const ownApplication = (c: SimHonoContext, principal: Principal | null): SimApplication | Response => {
    const applicationId = c.req.param("application") ?? "";
    if (!isSnowflake(applicationId)) return c.json(notSnowflake("application_id", applicationId), 400);
    const application = state.applications.get(applicationId);
    if (!application) return discordError(c, DISCORD_ERRORS.unknownApplication);
    if (principal?.kind !== "bot" || principal.app.clientId !== applicationId) {
      return discordError(c, DISCORD_ERRORS.missingAccess);
    }
    return application;
  };

  const metadataSpec = { route: "role_connection_metadata", auth: "bot", major: none } as const;
  const metadataPath = "/api/v10/applications/:application/role-connections/metadata";

  /** @see https://discord.com/developers/docs/resources/application-role-connection-metadata#get-application-role-connection-metadata-records */
  app.get(
    metadataPath,
    discordRoute(ctx, metadataSpec, (c, principal) => {
      const application = ownApplication(c, principal);
      if (application instanceof Response) return application;
      return c.json(state.roleConnectionMetadata.get(application.clientId) ?? []);
    }),
  );

  /**
   * Replaces the records (at most 5; keys `a-z0-9_` of 1–50, names 1–100, descriptions 1–200, types
   * 1–8, localizations keyed by Discord locales) and answers them; bad input is 50035.
   * @see https://discord.com/developers/docs/resources/application-role-connection-metadata#update-application-role-connection-metadata-records
   */
  app.put(
    metadataPath,
    discordRoute(ctx, metadataSpec, async (c, principal) => {
      const application = ownApplication(c, principal);
      if (application instanceof Response) return application;
      const read = await readJsonBody(c);
      if (!read.ok) return answerBodyError(c, read);
      const checked = checkMetadataRecords(read.value);
      if (!checked.ok) return c.json(invalidFormBody(checked.issues), 400);
      state.roleConnectionMetadata.set(application.clientId, checked.value);
      return c.json(checked.value);
    }),
  );
}

/** `GET`/`PUT`/`DELETE /users/@me/applications/{id}/role-connection` with the user's bearer token. */
function registerConnectionRoutes(app: Hono<SimEnv>, ctx: SimContext): void {
  const { state } = ctx;

  /**
   * The grant of a bearer token holding `role_connections.write` for the application of the path.
   * Discord answers a bearer token without the scope an endpoint needs with 401 code 0 (as on
   * `/users/@me/guilds` without `guilds`; discord-api-docs#5239 for another scoped route).
   */
  const connectionGrant = (c: SimHonoContext, principal: Principal | null): OAuthGrant | Response => {
    const applicationId = c.req.param("application") ?? "";
    if (!isSnowflake(applicationId)) return c.json(notSnowflake("application_id", applicationId), 400);
    if (
      principal?.kind !== "bearer" ||
      principal.grant.clientId !== applicationId ||
      !principal.grant.scopes.includes(ROLE_CONNECTIONS_SCOPE)
    ) {
      return discordError(c, DISCORD_ERRORS.unauthorized);
    }
    return principal.grant;
  };
  // Per-user limits: the bucket belongs to the user the bearer token authenticates.
  const connectionSpec = { route: "role_connection", auth: "bearer", major: none } as const;
  const connectionPath = "/api/v10/users/@me/applications/:application/role-connection";
  const key = (grant: OAuthGrant) => `${grant.clientId}:${grant.userId}`;

  /** @see https://discord.com/developers/docs/resources/user#get-current-user-application-role-connection */
  app.get(
    connectionPath,
    discordRoute(ctx, connectionSpec, (c, principal) => {
      const grant = connectionGrant(c, principal);
      if (grant instanceof Response) return grant;
      return c.json(apiRoleConnection(state.roleConnections.get(key(grant))));
    }),
  );

  /**
   * Replaces the user's role connection; values are checked against the application's metadata
   * records and stored as strings. A body with nothing in it (`{}`) clears the connection
   * (discord-api-docs#8346).
   * @see https://discord.com/developers/docs/resources/user#update-current-user-application-role-connection
   */
  app.put(
    connectionPath,
    discordRoute(ctx, connectionSpec, async (c, principal) => {
      const grant = connectionGrant(c, principal);
      if (grant instanceof Response) return grant;
      const read = await readJsonBody(c);
      if (!read.ok) return answerBodyError(c, read);
      const schema = state.roleConnectionMetadata.get(grant.clientId) ?? [];
      const checked = checkRoleConnection(read.value, schema);
      if (!checked.ok) return c.json(invalidFormBody(checked.issues), 400);
      const { platformName, platformUsername, metadata } = checked.value;
      if (platformName === null && platformUsername === null && Object.keys(metadata).length === 0) {
        state.roleConnections.delete(key(grant));
        return c.json(apiRoleConnection(undefined));
      }
      const connection = {
        applicationId: grant.clientId,
        userId: grant.userId,
        platformName,
        platformUsername,
        metadata,
        updatedAt: ctx.now(),
      };
      state.roleConnections.set(key(grant), connection);
      return c.json(apiRoleConnection(connection));
    }),
  );

  /** Deletes the user's role connection (204); documented in discord-api-docs#8348. */
  app.delete(
    connectionPath,
    discordRoute(ctx, connectionSpec, (c, principal) => {
      const grant = connectionGrant(c, principal);
      if (grant instanceof Response) return grant;
      state.roleConnections.delete(key(grant));
      return c.body(null, 204);
    }),
  );
}
