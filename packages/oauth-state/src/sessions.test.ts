import { describe, expect, it } from "vitest";
import { fakeClock } from "../test/fakes";
import { OAuthConfigError } from "./errors";
import { createMemorySessionStore } from "./memory-session-store";
import type { SessionStore } from "./ports";
import { createSessions, hashSessionId } from "./sessions";

/** A store that counts the calls of each method (to see how often sessions write). */
function counting(store: SessionStore) {
  const calls: Record<string, number> = {};
  const wrapped = Object.fromEntries(
    Object.entries(store).map(([name, fn]) => [
      name,
      (...args: unknown[]) => {
        calls[name] = (calls[name] ?? 0) + 1;
        return (fn as (...a: unknown[]) => unknown)(...args);
      },
    ]),
  ) as unknown as SessionStore;
  return { wrapped, calls };
}

function setup(options: { secure?: boolean } = {}) {
  const clock = fakeClock();
  const memory = createMemorySessionStore();
  const { wrapped, calls } = counting(memory);
  const sessions = createSessions({ store: wrapped, clock, secureCookies: options.secure ?? false });
  /** A request presenting a `Set-Cookie` value's cookie. */
  const requestWith = (setCookie: string, extra = "") =>
    new Request("https://app.test/me", { headers: { cookie: `${setCookie.split(";")[0]}${extra}` } });
  return { clock, memory, calls, sessions, requestWith };
}

const HOUR = 3_600_000;

describe("server-side sessions", () => {
  it("issue a 32-byte random id in an HttpOnly SameSite=Lax cookie, storing only its SHA-256", async () => {
    const { sessions, memory } = setup();
    const { setCookie } = await sessions.start({ memberId: "7" });
    expect(setCookie).toMatch(
      /^gk_session=[A-Za-z0-9_-]{43}; Path=\/; Max-Age=604800; HttpOnly; SameSite=Lax$/,
    );
    const id = setCookie.split(";")[0]?.split("=")[1] ?? "";
    expect(Buffer.from(id, "base64url")).toHaveLength(32);
    expect(memory.peek(id)).toBeNull();
    expect(memory.peek(hashSessionId(id))).toMatchObject({ memberId: "7" });
    const again = await sessions.start({ memberId: "7" });
    expect(again.setCookie).not.toBe(setCookie);
  });

  it("name the cookie __Host- and mark it Secure on https", async () => {
    const { sessions } = setup({ secure: true });
    expect(sessions.cookieName).toBe("__Host-gk_session");
    const { setCookie } = await sessions.start({ memberId: "7" });
    expect(setCookie).toMatch(
      /^__Host-gk_session=[^;]+; Path=\/; Max-Age=604800; HttpOnly; SameSite=Lax; Secure$/,
    );
    expect(sessions.clearCookie()).toBe(
      "__Host-gk_session=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax; Secure",
    );
  });

  it("read the member back, and nothing for a missing, malformed, unknown or doubled cookie", async () => {
    const { sessions, requestWith, calls } = setup();
    const { setCookie } = await sessions.start({ memberId: "7" });
    expect(await sessions.memberIdOf(requestWith(setCookie))).toBe("7");
    const readsBefore = calls.read ?? 0;
    expect(await sessions.memberIdOf(new Request("https://app.test/"))).toBeNull();
    expect(await sessions.memberIdOf(requestWith("gk_session=not-an-id"))).toBeNull();
    // Malformed values never reach the store.
    expect(calls.read ?? 0).toBe(readsBefore);
    expect(await sessions.memberIdOf(requestWith(`gk_session=${"A".repeat(43)}`))).toBeNull();
    expect(await sessions.memberIdOf(requestWith(setCookie, `; gk_session=${"A".repeat(43)}`))).toBeNull();
  });

  it("slide the idle timeout with use, writing the last use at most once a minute", async () => {
    const { sessions, requestWith, calls, clock } = setup();
    const { setCookie } = await sessions.start({ memberId: "7" });
    for (let i = 0; i < 10; i++) {
      clock.advance(5_000);
      expect(await sessions.memberIdOf(requestWith(setCookie))).toBe("7");
    }
    expect(calls.touch ?? 0).toBe(0);
    clock.advance(11_000);
    const read = await sessions.read(requestWith(setCookie));
    expect(calls.touch).toBe(1);
    expect(read?.lastSeenAt).toEqual(clock.now());
    expect(read?.expiresAt.getTime()).toBe(clock.now().getTime() + 12 * HOUR);
    // Used every 11 hours, it never idles out…
    for (let i = 0; i < 5; i++) {
      clock.advance(11 * HOUR);
      expect(await sessions.memberIdOf(requestWith(setCookie))).toBe("7");
    }
    // …and unused for 12 hours, it has.
    clock.advance(12 * HOUR);
    expect(await sessions.memberIdOf(requestWith(setCookie))).toBeNull();
  });

  it("end every session at its absolute lifetime (7 days), however often it is used", async () => {
    const { sessions, requestWith, clock } = setup();
    const { setCookie } = await sessions.start({ memberId: "7" });
    let last: string | null = "7";
    let elapsed = 0;
    while (last !== null && elapsed < 8 * 24 * HOUR) {
      clock.advance(HOUR);
      elapsed += HOUR;
      last = await sessions.memberIdOf(requestWith(setCookie));
    }
    expect(elapsed).toBe(7 * 24 * HOUR);
  });

  it("sign out revokes the session on the server: the same cookie no longer reads", async () => {
    const { sessions, requestWith, memory } = setup();
    const { setCookie } = await sessions.start({ memberId: "7" });
    const cleared = await sessions.end(requestWith(setCookie));
    expect(cleared).toBe("gk_session=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax");
    expect(await sessions.memberIdOf(requestWith(setCookie))).toBeNull();
    expect(memory.size()).toBe(0);
  });

  it("sign out everywhere revokes every session of the member and no other member's", async () => {
    const { sessions, requestWith } = setup();
    const a = await sessions.start({ memberId: "7" });
    const b = await sessions.start({ memberId: "7" });
    const other = await sessions.start({ memberId: "8" });
    expect(await sessions.endEverywhere(requestWith(a.setCookie))).toMatchObject({ revoked: 2 });
    expect(await sessions.memberIdOf(requestWith(a.setCookie))).toBeNull();
    expect(await sessions.memberIdOf(requestWith(b.setCookie))).toBeNull();
    expect(await sessions.memberIdOf(requestWith(other.setCookie))).toBe("8");
    expect(await sessions.endEverywhere(requestWith(a.setCookie))).toMatchObject({ revoked: 0 });
  });

  it("revokeOthers keeps the request's own session and ends the member's others", async () => {
    const { sessions, requestWith } = setup();
    const mine = await sessions.start({ memberId: "7" });
    const theirs = await sessions.start({ memberId: "7" });
    expect(await sessions.revokeOthers(requestWith(mine.setCookie))).toBe(1);
    expect(await sessions.memberIdOf(requestWith(mine.setCookie))).toBe("7");
    expect(await sessions.memberIdOf(requestWith(theirs.setCookie))).toBeNull();
    expect(await sessions.revokeOthers(new Request("https://app.test/"))).toBe(0);
  });

  it("purge removes expired sessions only", async () => {
    const { sessions, memory, clock } = setup();
    await sessions.start({ memberId: "7" });
    clock.advance(6 * HOUR);
    await sessions.start({ memberId: "8" });
    clock.advance(6 * HOUR);
    expect(await sessions.purgeExpired()).toBe(1);
    expect(memory.size()).toBe(1);
  });

  it("refuse unusable durations with a typed error", () => {
    const base = { store: createMemorySessionStore(), clock: fakeClock(), secureCookies: false };
    for (const bad of [
      { idleTimeoutSeconds: 0 },
      { maxLifetimeSeconds: 1.5 },
      { idleTimeoutSeconds: 10, maxLifetimeSeconds: 5 },
    ]) {
      expect(() => createSessions({ ...base, ...bad })).toThrow(OAuthConfigError);
    }
  });
});
