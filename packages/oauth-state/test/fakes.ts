import {
  type AccountTransactions,
  type CreateMemberResult,
  codeChallengeS256,
  createMemoryNonceStore,
  createOAuthFlows,
  type DiscordIdentity,
  type DiscordIdentityProvider,
  type DiscordProfile,
  type EventLogEntry,
  type LinkDiscordResult,
  type LoginCompletion,
  type MemberAccount,
  type MemberAccounts,
  normalizeEmail,
  type OAuthClient,
  type SignupConfirmation,
  type SyncDueMarker,
} from "../src/index";

export const SECRET = "a-test-secret-that-is-at-least-32-bytes-long!";
export const REDIRECT = {
  link: "https://app.test/discord/callback",
  login: "https://app.test/login/discord/callback",
};
export const AUTHORIZE_URL = "https://discord.test/oauth2/authorize";

/** A clock the test moves by hand. */
export function fakeClock(start = Date.UTC(2026, 10, 23, 12, 0, 0)) {
  let now = start;
  return {
    now: () => new Date(now),
    advance(ms: number) {
      now += ms;
    },
  };
}

export interface FakeMember {
  memberId: string;
  email: string | null;
  emailTrusted: boolean;
  discordUserId: string | null;
  discordEmail: string | null;
  discordUsername: string | null;
  discordAvatar: string | null;
  dueForSyncAt: Date | null;
}

/** Members in memory; every write is counted so tests can assert "nothing written". */
export function fakeMembers(seed: Array<Partial<FakeMember> & { memberId: string }> = []) {
  const rows = new Map<string, FakeMember>();
  for (const row of seed) {
    rows.set(row.memberId, {
      email: null,
      emailTrusted: true,
      discordUserId: null,
      discordEmail: null,
      discordUsername: null,
      discordAvatar: null,
      dueForSyncAt: null,
      ...row,
    });
  }
  const writes: string[] = [];
  let nextId = 1000;
  const toAccount = (row: FakeMember): MemberAccount => ({
    memberId: row.memberId,
    discordUserId: row.discordUserId,
  });
  const applyProfile = (row: FakeMember, profile: DiscordProfile) => {
    row.discordUserId = profile.discordUserId;
    row.discordEmail = profile.email;
    row.discordUsername = profile.globalName ?? profile.username;
    row.discordAvatar = profile.avatar;
  };
  const port: MemberAccounts = {
    async findByDiscordUserId({ discordUserId }) {
      for (const row of rows.values()) if (row.discordUserId === discordUserId) return toAccount(row);
      return null;
    },
    async findByVerifiedEmail({ email }) {
      for (const row of rows.values()) {
        if (row.emailTrusted && row.email !== null && normalizeEmail(row.email) === email) {
          return toAccount(row);
        }
      }
      return null;
    },
    async findByMemberId({ memberId }) {
      const row = rows.get(memberId);
      return row === undefined ? null : { ...toAccount(row), discordUsername: row.discordUsername };
    },
    async linkDiscord({ memberId, profile }): Promise<LinkDiscordResult> {
      const row = rows.get(memberId);
      if (row === undefined) return { linked: false, reason: "member_not_found" };
      for (const other of rows.values()) {
        if (other.memberId !== memberId && other.discordUserId === profile.discordUserId) {
          return { linked: false, reason: "discord_account_taken" };
        }
      }
      writes.push(`link:${memberId}`);
      applyProfile(row, profile);
      return { linked: true };
    },
    async create({ profile }): Promise<CreateMemberResult> {
      for (const other of rows.values()) {
        if (other.discordUserId === profile.discordUserId)
          return { created: false, reason: "discord_account_taken" };
        if (other.email !== null && normalizeEmail(other.email) === profile.email) {
          return { created: false, reason: "email_taken" };
        }
      }
      const memberId = String(nextId++);
      writes.push(`create:${memberId}`);
      const row: FakeMember = {
        memberId,
        email: profile.email,
        emailTrusted: true,
        discordUserId: null,
        discordEmail: null,
        discordUsername: null,
        discordAvatar: null,
        dueForSyncAt: null,
      };
      applyProfile(row, profile);
      rows.set(memberId, row);
      return { created: true, memberId };
    },
  };
  const syncDue: SyncDueMarker = {
    async markDue({ memberIds, now }) {
      for (const memberId of memberIds) {
        const row = rows.get(memberId);
        if (row === undefined) continue;
        writes.push(`due:${memberId}`);
        row.dueForSyncAt = now;
      }
    },
  };
  /** One transaction at a time; a rejecting `fn` restores the rows and the write log. */
  const transactions: AccountTransactions = {
    async run(fn) {
      const saved = new Map([...rows].map(([id, row]) => [id, { ...row }]));
      const savedWrites = writes.length;
      try {
        return await fn({ accounts: port, syncDue });
      } catch (error) {
        rows.clear();
        for (const [id, row] of saved) rows.set(id, row);
        writes.length = savedWrites;
        throw error;
      }
    },
  };
  return { port, transactions, syncDue, rows, writes };
}

interface Grant {
  identity: DiscordIdentity;
  challenge: string;
  redirectUri: string;
  used: boolean;
}

/**
 * Stands in for Discord: `authorize()` reads the authorization URL like the consent page does and
 * returns the callback query; `exchangeCode` checks the code, the redirect URI and the PKCE verifier.
 */
export function fakeDiscord() {
  const grants = new Map<string, Grant>();
  const exchanges: Array<{ code: string; codeVerifier: string; redirectUri: string }> = [];
  let failure: unknown = null;
  let counter = 0;
  const provider: DiscordIdentityProvider = {
    async exchangeCode(input) {
      exchanges.push(input);
      if (failure !== null) throw failure;
      const grant = grants.get(input.code);
      if (grant === undefined || grant.used || grant.redirectUri !== input.redirectUri) {
        throw Object.assign(new Error("invalid_grant"), { status: 400, retryable: false });
      }
      if ((await codeChallengeS256(input.codeVerifier)) !== grant.challenge) {
        throw Object.assign(new Error("invalid_grant (code_verifier)"), { status: 400, retryable: false });
      }
      grant.used = true;
      return grant.identity;
    },
  };
  return {
    provider,
    exchanges,
    /** Make every exchange throw `error` (null to stop). */
    failWith(error: unknown) {
      failure = error;
    },
    /** Consent on the authorization page: returns the callback query Discord redirects to. */
    authorize(authorizeUrl: string, identity: DiscordIdentity): URLSearchParams {
      const url = new URL(authorizeUrl);
      const q = url.searchParams;
      if (q.get("code_challenge_method") !== "S256") throw new Error("PKCE S256 missing");
      const code = `code-${++counter}-${identity.id}`;
      grants.set(code, {
        identity,
        challenge: q.get("code_challenge") ?? "",
        redirectUri: q.get("redirect_uri") ?? "",
        used: false,
      });
      return new URLSearchParams({ code, state: q.get("state") ?? "" });
    },
    /** Pressing "Cancel" on the authorization page. */
    deny(authorizeUrl: string): URLSearchParams {
      const state = new URL(authorizeUrl).searchParams.get("state") ?? "";
      return new URLSearchParams({
        error: "access_denied",
        error_description: "The resource owner denied",
        state,
      });
    },
  };
}

export function identity(overrides: Partial<DiscordIdentity> = {}): DiscordIdentity {
  return {
    id: "80351110224678912",
    username: "nelly",
    globalName: "Nelly",
    avatar: "8342729096ea3675442027381ff50dfe",
    email: "Nelly@Example.COM",
    verified: true,
    ...overrides,
  };
}

/** A full set of flows over fakes. */
export function harness(
  opts: {
    members?: Array<Partial<FakeMember> & { memberId: string }>;
    withSignupHook?: boolean;
    client?: OAuthClient | null;
    eventLogFails?: boolean;
  } = {},
) {
  const clock = fakeClock();
  const members = fakeMembers(opts.members);
  const discord = fakeDiscord();
  const nonces = createMemoryNonceStore();
  const events: EventLogEntry[] = [];
  const completions: LoginCompletion[] = [];
  const confirmations: SignupConfirmation[] = [];
  const logFailures: unknown[] = [];
  let client = opts.client === undefined ? { clientId: "123456789012345678" } : opts.client;
  const flows = createOAuthFlows<string>({
    stateSecret: SECRET,
    redirectUris: REDIRECT,
    authorizeUrl: AUTHORIZE_URL,
    client: { load: async () => client },
    identity: discord.provider,
    members: members.port,
    transactions: members.transactions,
    nonces,
    eventLog: {
      async append(entry) {
        if (opts.eventLogFails) throw new Error("event log down");
        events.push(entry);
      },
    },
    clock,
    onLoginComplete: (completion) => {
      completions.push(completion);
      return `session:${completion.memberId}->${completion.postLoginPath}`;
    },
    ...(opts.withSignupHook
      ? {
          onSignupConfirm: (confirmation: SignupConfirmation) => {
            confirmations.push(confirmation);
            return `confirm:${confirmation.identity.email}`;
          },
        }
      : {}),
    onEventLogFailure: (error) => logFailures.push(error),
  });
  return {
    flows,
    clock,
    members,
    discord,
    nonces,
    events,
    completions,
    confirmations,
    logFailures,
    /** Change the OAuth client the flows load (`null`: not configured). */
    setClient(next: OAuthClient | null) {
      client = next;
    },
  };
}

/** The error `promise` rejects with (fails the test when it resolves). */
export async function rejection(promise: Promise<unknown>): Promise<Error> {
  return promise.then(
    () => {
      throw new Error("expected the promise to reject");
    },
    (error: Error) => error,
  );
}
