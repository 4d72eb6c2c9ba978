import { sql } from "kysely";
import type { ChaosApp } from "./apps";
import type { createRandom } from "./prng";
import type { ChaosWorld } from "./world";

type Random = ReturnType<typeof createRandom>;

/** What the work wrote; the checks read the truth back from the database. */
export interface WorkTally {
  entitlementChanges: number;
  events: number;
  /** Writes that failed while PostgreSQL was away (retried later). */
  writeRetries: number;
  logins: { ok: number; failed: number };
}

/** A loop that runs `step` every `everyMs` until `stop`; a failing step is counted, never fatal. */
function every(everyMs: number, stop: AbortSignal, step: () => Promise<void>): Promise<void> {
  return (async () => {
    while (!stop.aborted) {
      const started = Date.now();
      await step().catch(() => {});
      const wait = Math.max(0, everyMs - (Date.now() - started));
      await new Promise((r) => setTimeout(r, wait));
    }
  })();
}

/** One login through a server's OAuth flow, as a browser would (cookies kept, redirects by hand). */
async function login(world: ChaosWorld, server: ChaosApp, userId: string): Promise<boolean> {
  const cookies = new Map<string, string>();
  const go = async (url: string) => {
    const cookie = [...cookies].map(([k, v]) => `${k}=${v}`).join("; ");
    const res = await fetch(new URL(url, server.baseUrl), {
      redirect: "manual",
      headers: cookie ? { cookie } : {},
      signal: AbortSignal.timeout(10_000),
    });
    for (const set of res.headers.getSetCookie()) {
      const [pair] = set.split(";");
      const eq = pair!.indexOf("=");
      cookies.set(pair!.slice(0, eq), pair!.slice(eq + 1));
    }
    await res.arrayBuffer();
    return res;
  };
  const start = await go("/login/discord?next=%2Fme");
  const authorize = start.headers.get("location");
  if (start.status !== 302 || !authorize) return false;
  const callback = await world.sim.authorize(authorize, { userId });
  const done = await go(callback);
  if (done.status !== 302 && done.status !== 303) return false;
  return (await go("/me")).status === 200;
}

/**
 * Drives the work until `stop`: entitlement changes (payment_status flipped on random members),
 * webhook events (inserts into `chaos_events`, each hook's `seq` counting up), and logins.
 */
export function runWorkload(opts: {
  world: ChaosWorld;
  servers: ChaosApp[];
  random: Random;
  stop: AbortSignal;
  changesPerSecond: number;
  eventsTotal: number;
  durationMs: number;
  loginEveryMs: number;
}): { tally: WorkTally; done: Promise<void> } {
  const { world, random, stop } = opts;
  const tally: WorkTally = {
    entitlementChanges: 0,
    events: 0,
    writeRetries: 0,
    logins: { ok: 0, failed: 0 },
  };
  const seq = new Array<number>(world.hooks.length).fill(0);
  const eventBatch = Math.max(1, Math.ceil(opts.eventsTotal / (opts.durationMs / 250)));
  const pendingEvents: { hook: number; seq: number }[] = [];

  const change = every(Math.max(10, 1000 / opts.changesPerSecond), stop, async () => {
    const member = random.pick(world.members);
    try {
      await sql`update members set payment_status = case when payment_status is null then 'active' else null end
        where id = ${member.id}`.execute(world.store.kysely);
      tally.entitlementChanges += 1;
    } catch {
      tally.writeRetries += 1;
    }
  });

  const insert = every(250, stop, async () => {
    for (let i = 0; i < eventBatch && tally.events + pendingEvents.length < opts.eventsTotal; i++) {
      const hook = Math.floor(random.next() * world.hooks.length);
      seq[hook]! += 1;
      pendingEvents.push({ hook, seq: seq[hook]! });
    }
    if (pendingEvents.length === 0) return;
    const batch = pendingEvents.slice(0, 200);
    try {
      // One transaction per batch; a batch whose commit was lost in a restart is written again, and
      // the unique (hook, seq) keeps the second copy out.
      await sql`insert into chaos_events (hook, seq) select * from unnest(${batch.map((e) => e.hook)}::int[], ${batch.map(
        (e) => e.seq,
      )}::int[]) on conflict (hook, seq) do nothing`.execute(world.store.kysely);
      pendingEvents.splice(0, batch.length);
      tally.events += batch.length;
    } catch {
      tally.writeRetries += 1;
    }
  });

  const logins = every(opts.loginEveryMs, stop, async () => {
    const server = random.pick(opts.servers);
    const member = random.pick(world.members);
    if (!server.alive()) return;
    const ok = await login(world, server, member.userId).catch(() => false);
    if (ok) tally.logins.ok += 1;
    else tally.logins.failed += 1;
  });

  return { tally, done: Promise.all([change, insert, logins]).then(() => undefined) };
}

/** One login that must succeed (after the faults): the OAuth flow works end to end. */
export async function loginOnce(world: ChaosWorld, server: ChaosApp): Promise<boolean> {
  return login(world, server, world.members[0]!.userId).catch(() => false);
}
