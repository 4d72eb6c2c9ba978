import { checkAuthorize, decideAuthorize, defaultAuthorizingUser } from "./authorize";
import type { SimContext } from "./context";
import { DiscordSimError } from "./errors";
import { grantView } from "./oauth-grants";
import type { SimFaults, SimInspect, SimSeed } from "./types";

/** The in-process control surface shared by `DiscordSim` and the `/_sim` HTTP API. */
export interface SimApi {
  seed: SimSeed;
  inspect: SimInspect;
  faults: SimFaults;
  authorize(authorizeUrl: string, opts?: { userId?: string; deny?: boolean }): Promise<string>;
  reset(): void;
}

/** Builds the seeding, inspection and fault API over a simulator context. */
export function createSimApi(ctx: SimContext): SimApi {
  const { state } = ctx;

  const inspect: SimInspect = {
    requests(filter) {
      return ctx.log.list(filter);
    },
    rateLimited() {
      const { user, global, shared, pluralkit, cdn } = ctx.limited;
      return { total: user + global + shared, user, global, shared, pluralkit, cdn };
    },
    invalidRequests() {
      return ctx.invalid.count();
    },
    messages(webhookId) {
      return state.messages
        .filter((m) => webhookId === undefined || m.webhookId === webhookId)
        .map(({ json: _json, guildId: _guildId, ...m }) => structuredClone(m));
    },
    roleChanges() {
      return state.roleChanges.map((change) => ({ ...change }));
    },
    member(guildId, userId) {
      const member = state.guilds.get(guildId)?.members.get(userId);
      return member ? { ...member, roles: [...member.roles] } : null;
    },
    user(userId) {
      const user = state.users.get(userId);
      return user ? { ...user } : null;
    },
    counters() {
      return ctx.log.counters();
    },
    oauthCode(code) {
      const found = state.codes.get(code);
      if (!found) return null;
      const { clientId, redirectUri, userId, scopes, codeChallenge, used } = found;
      return { clientId, redirectUri, userId, scopes: [...scopes], codeChallenge, used };
    },
    oauthGrants(filter = {}) {
      return state.grants
        .filter((g) => filter.userId === undefined || g.userId === filter.userId)
        .filter((g) => filter.clientId === undefined || g.clientId === filter.clientId)
        .map((g) => grantView(state, g));
    },
    roleConnectionMetadata(applicationId) {
      return structuredClone(state.roleConnectionMetadata.get(applicationId) ?? []);
    },
    roleConnection(applicationId, userId) {
      const found = state.roleConnections.get(`${applicationId}:${userId}`);
      return found ? structuredClone(found) : null;
    },
    roleConnections(applicationId) {
      return [...state.roleConnections.values()]
        .filter((c) => applicationId === undefined || c.applicationId === applicationId)
        .map((c) => structuredClone(c));
    },
    joins(guildId) {
      return state.joins
        .filter((j) => guildId === undefined || j.guildId === guildId)
        .map((j) => ({ ...j, roles: [...j.roles] }));
    },
    kicks(guildId) {
      return state.kicks.filter((k) => guildId === undefined || k.guildId === guildId).map((k) => ({ ...k }));
    },
    bans(guildId) {
      return [...(state.guilds.get(guildId)?.bans.values() ?? [])].map((b) => ({ ...b }));
    },
  };

  return {
    seed: state.seed,
    inspect,
    faults: {
      set: (fault) => ctx.faults.set(fault),
      clear: () => ctx.faults.clear(),
    },
    async authorize(authorizeUrl, opts = {}) {
      const check = checkAuthorize(state, new URL(authorizeUrl).searchParams);
      if (check.kind === "page") throw new DiscordSimError("invalid_authorize_request", check.message);
      if (check.kind === "redirect") return check.location;
      const outcome = decideAuthorize(state, check.request, {
        userId: opts.userId ?? defaultAuthorizingUser(state),
        deny: opts.deny ?? false,
      });
      if (outcome.kind === "page") throw new DiscordSimError("invalid_authorize_request", outcome.message);
      return outcome.location;
    },
    reset: () => ctx.reset(),
  };
}
