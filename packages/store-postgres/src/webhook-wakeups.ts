import type { GuildkitStore } from "@guildkit/store-kysely";
import { NOTIFY_CHANNEL } from "@guildkit/webhook-templates";
import type { PostgresPool } from "kysely";

interface ListeningClient {
  query(sql: string): Promise<unknown>;
  release(err?: Error | boolean): void;
  on(event: "notification", listener: (msg: { channel: string; payload?: string }) => void): unknown;
  on(event: "error", listener: (err: Error) => void): unknown;
}

/**
 * Wakes the webhook worker with `LISTEN/NOTIFY`: `store.webhooks.waitForEvents` resolves as soon as a
 * trigger signals {@link NOTIFY_CHANNEL} (or after its timeout), on one dedicated connection taken
 * from the pool on first use and released by `store.close()`. If that connection fails, it falls
 * back to the polling wait every store has.
 */
export function listenForWebhookEvents(store: GuildkitStore, pool: PostgresPool): void {
  const polling = store.webhooks.waitForEvents;
  let client: ListeningClient | null = null;
  let starting: Promise<ListeningClient | null> | null = null;
  let failed = false;
  let signalled = false;
  const waiters = new Set<() => void>();

  const start = (): Promise<ListeningClient | null> => {
    starting ??= (async () => {
      try {
        const c = (await pool.connect()) as unknown as ListeningClient;
        c.on("notification", (msg) => {
          if (msg.channel !== NOTIFY_CHANNEL) return;
          signalled = true;
          for (const wake of waiters) wake();
        });
        c.on("error", () => {
          failed = true;
          for (const wake of waiters) wake();
        });
        await c.query(`LISTEN "${NOTIFY_CHANNEL}"`);
        client = c;
        return c;
      } catch {
        failed = true;
        return null;
      }
    })();
    return starting;
  };

  store.webhooks.waitForEvents = async (opts, io = {}) => {
    const listening = failed ? null : await start();
    if (!listening || failed) return polling(opts, io);
    if (signalled) {
      signalled = false;
      return;
    }
    // Events written before LISTEN took effect (or while the worker was busy) were not signalled.
    if (await store.webhooks.hasDueEvents(io)) return;
    await new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        waiters.delete(done);
        io.signal?.removeEventListener("abort", done);
        resolve();
      };
      const timer = setTimeout(done, opts.timeoutMs);
      waiters.add(done);
      io.signal?.addEventListener("abort", done, { once: true });
    });
    signalled = false;
  };

  const close = store.close.bind(store);
  store.close = async () => {
    const c = client ?? (starting ? await starting : null);
    client = null;
    if (c) {
      try {
        await c.query(`UNLISTEN "${NOTIFY_CHANNEL}"`);
      } catch {
        // the connection may already be gone
      }
      c.release(true);
    }
    return close();
  };
}
