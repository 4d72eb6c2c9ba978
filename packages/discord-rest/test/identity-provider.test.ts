import { randomBytes } from "node:crypto";
import { isRetryableError } from "@guildkit/core";
import { pkceChallenge } from "@guildkit/discord-sim";
import { type DiscordIdentityProvider, OAuthNotConfiguredError } from "@guildkit/oauth-state";
import { Agent } from "undici";
import { afterEach, describe, expect, it, vi } from "vitest";
import { createDiscordIdentityProvider, createDiscordOAuth, DiscordOAuthError } from "../src";
import { startWorld } from "./helpers";

let world: Awaited<ReturnType<typeof startWorld>> | null = null;
afterEach(async () => {
  await world?.close();
  world = null;
});

const redirectUri = "http://localhost:3000/login/discord/callback";

/** A code the simulator issued to `userId` for the demo application, with its PKCE verifier. */
async function authorize(userId: string) {
  const { sim, demo } = world!;
  const codeVerifier = randomBytes(32).toString("base64url");
  const url = createDiscordOAuth({
    clientId: demo.application.clientId,
    clientSecret: demo.application.clientSecret,
    authorizeUrl: sim.authorizeUrl,
  }).authorizeUrl({
    redirectUri,
    scopes: ["identify", "email"],
    state: "state-1",
    codeChallenge: pkceChallenge(codeVerifier),
  });
  const code = new URL(await sim.authorize(url, { userId })).searchParams.get("code")!;
  return { code, codeVerifier, redirectUri };
}

function provider(extra: Partial<Parameters<typeof createDiscordIdentityProvider>[0]> = {}) {
  const { sim, demo } = world!;
  const identity: DiscordIdentityProvider = createDiscordIdentityProvider({
    credentials: { clientId: demo.application.clientId, clientSecret: demo.application.clientSecret },
    apiBaseUrl: sim.apiBaseUrl,
    ...extra,
  });
  return identity;
}

describe("createDiscordIdentityProvider against discord-sim over real HTTP", () => {
  it("exchanges the code, reads /users/@me, and revokes the access token afterwards", async () => {
    world = await startWorld();
    const { sim, demo } = world;
    const identity = await provider().exchangeCode(await authorize(demo.users.alice));
    expect(identity).toEqual({
      id: demo.users.alice,
      username: "alice",
      globalName: "Alice",
      avatar: "a1b2c3d4e5f60718293a4b5c6d7e8f90",
      email: "alice@example.test",
      verified: true,
    });
    await vi.waitFor(() =>
      expect(sim.inspect.oauthGrants({ userId: demo.users.alice }).map((g) => g.state)).toEqual(["revoked"]),
    );
  });

  it("reports an email Discord has not verified with verified: false, so the flows never trust it", async () => {
    world = await startWorld();
    const identity = await provider().exchangeCode(await authorize(world.demo.users.bob));
    expect(identity).toMatchObject({ email: "bob@example.test", verified: false });
  });

  it("reads the credentials per exchange, and throws OAuthNotConfiguredError while there are none", async () => {
    world = await startWorld();
    const { demo } = world;
    let current: { clientId: string; clientSecret: string } | null = null;
    const signals: (AbortSignal | undefined)[] = [];
    const identity = provider({
      credentials: {
        load: async (opts) => {
          signals.push(opts?.signal);
          return current;
        },
      },
    });
    const input = await authorize(demo.users.alice);
    await expect(identity.exchangeCode(input)).rejects.toBeInstanceOf(OAuthNotConfiguredError);
    current = { clientId: demo.application.clientId, clientSecret: demo.application.clientSecret };
    const controller = new AbortController();
    expect((await identity.exchangeCode(input, { signal: controller.signal })).id).toBe(demo.users.alice);
    expect(signals).toEqual([undefined, controller.signal]);
  });

  it("throws Discord's refusal of a replayed code as a non-retryable DiscordOAuthError", async () => {
    world = await startWorld();
    const input = await authorize(world.demo.users.alice);
    await provider().exchangeCode(input);
    const error = await provider()
      .exchangeCode(input)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DiscordOAuthError);
    expect(error).toMatchObject({ error: "invalid_grant", status: 400 });
    expect(isRetryableError(error) && error.retryable).toBe(false);
  });

  it("tells onRevokeFailure when the revocation fails, and still returns the identity", async () => {
    world = await startWorld();
    const { sim, demo } = world;
    // Discord is unreachable for the revocation only.
    const agent = new Agent();
    const revokeRefused = agent.compose((dispatch) => (opts, handler) => {
      if (String(opts.path).endsWith("/oauth2/token/revoke")) throw new Error("connect ECONNREFUSED");
      return dispatch(opts, handler);
    });
    const failures: unknown[] = [];
    const identity = await provider({
      dispatcher: revokeRefused,
      onRevokeFailure: (e) => failures.push(e),
    }).exchangeCode(await authorize(demo.users.alice));
    expect(identity.id).toBe(demo.users.alice);
    await vi.waitFor(() => expect(failures).toHaveLength(1));
    expect(failures[0]).toMatchObject({ name: "DiscordNetworkError", route: "POST /oauth2/token/revoke" });
    expect(sim.inspect.oauthGrants({ userId: demo.users.alice }).map((g) => g.state)).toEqual(["active"]);
    await agent.close();
  });
});
