import { startDiscordSim } from "../src/index";
import type { DiscordSim, DiscordSimOptions, SimApplication } from "../src/types";

export const UA = "DiscordBot (https://github.com/guildkit/guildkit, 0.0.0)";
export const GUILD = "1100000000000000000";
export const MEMBER_ROLE = "1100000000000000010";
export const HIGH_ROLE = "1100000000000000011";
export const EQUAL_ROLE = "1100000000000000012";
export const CHANNEL = "1200000000000000000";
export const THREAD = "1200000000000000001";
export const ALICE = "80351110224678912";
export const BOB = "80351110224678913";
export const CAROL = "80351110224678914";
export const REDIRECT = "http://localhost:3000/discord/callback";

/** A clock the test moves by hand. */
export function fakeClock(start = Date.UTC(2026, 10, 23, 12, 0, 0)) {
  let t = start;
  return {
    now: () => t,
    advance(ms: number) {
      t += ms;
    },
  };
}

export interface World {
  sim: DiscordSim;
  clock: ReturnType<typeof fakeClock>;
  app: SimApplication;
  /** fetch against the Discord API with the bot token. */
  bot(path: string, init?: RequestInit): Promise<Response>;
  /** fetch against the simulator's origin without credentials. */
  raw(path: string, init?: RequestInit): Promise<Response>;
}

/**
 * Starts a simulator on fake time with an application, a guild (bot role at position 10, "Member"
 * at 1, "Admin" at 20, "Peer" at 10), alice (verified, member), bob (unverified, member), carol
 * (no email, not a member) and a channel with a thread.
 */
export async function startWorld(options: DiscordSimOptions = {}): Promise<World> {
  const clock = fakeClock();
  const sim = await startDiscordSim({ now: clock.now, ...options });
  const app = sim.seed.application({
    clientId: "1000000000000000001",
    clientSecret: "test-secret",
    redirectUris: [REDIRECT, "http://localhost:3000/login/discord/callback"],
    name: "Test App",
  });
  sim.seed.guild({ id: GUILD, name: "Test Guild", botRolePosition: 10 });
  sim.seed.role({ id: MEMBER_ROLE, guildId: GUILD, name: "Member", position: 1 });
  sim.seed.role({ id: HIGH_ROLE, guildId: GUILD, name: "Admin", position: 20 });
  sim.seed.role({ id: EQUAL_ROLE, guildId: GUILD, name: "Peer", position: 10 });
  sim.seed.user({
    id: ALICE,
    username: "alice",
    global_name: "Alice",
    email: "alice@example.test",
    verified: true,
    avatar: "0123456789abcdef0123456789abcdef",
  });
  sim.seed.user({ id: BOB, username: "bob", email: "bob@example.test", verified: false });
  sim.seed.user({ id: CAROL, username: "carol" });
  sim.seed.member({ guildId: GUILD, userId: ALICE, nick: "Ali", avatar: "fedcba9876543210fedcba9876543210" });
  sim.seed.member({ guildId: GUILD, userId: BOB });
  sim.seed.channel({ id: CHANNEL, guildId: GUILD, name: "general" });
  sim.seed.channel({ id: THREAD, guildId: GUILD, parentId: CHANNEL, name: "a thread" });
  const withHeaders = (init: RequestInit | undefined, extra: Record<string, string>): RequestInit => ({
    ...init,
    headers: { "User-Agent": UA, ...extra, ...(init?.headers as Record<string, string> | undefined) },
  });
  return {
    sim,
    clock,
    app,
    bot: (path, init) =>
      fetch(`${sim.apiBaseUrl}${path}`, withHeaders(init, { Authorization: `Bot ${app.botToken}` })),
    raw: (path, init) => fetch(`${sim.url}${path}`, withHeaders(init, {})),
  };
}

/** JSON read back from the simulator, loosely typed for assertions. */
// biome-ignore lint/suspicious/noExplicitAny: tests poke at arbitrary JSON answers
export type Json = any;

/** `res.json()` typed for assertions. */
export async function readJson(res: Response | Promise<Response>): Promise<Json> {
  return (await res).json() as Promise<Json>;
}
