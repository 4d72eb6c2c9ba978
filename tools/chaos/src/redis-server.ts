import { type ChildProcess, spawn } from "node:child_process";
import { createConnection } from "node:net";
import { freePort } from "@guildkit/store-testkit";

/** A Redis of the run's own on a free port (the machine's 6379 is never stopped). */
export interface OwnRedis {
  url: string;
  port: number;
  start(): Promise<void>;
  /** SIGKILL, as a crashed or partitioned Redis looks to its clients. */
  stop(): Promise<void>;
  close(): Promise<void>;
  /** The redis-server's pid while it runs. */
  pid(): number | null;
}

function answers(port: number): Promise<boolean> {
  return new Promise((done) => {
    const socket = createConnection({ host: "127.0.0.1", port });
    socket.once("connect", () => {
      socket.write("PING\r\n");
    });
    socket.once("data", (data) => {
      socket.destroy();
      done(data.toString().startsWith("+PONG"));
    });
    socket.once("error", () => done(false));
    socket.setTimeout(500, () => {
      socket.destroy();
      done(false);
    });
  });
}

export async function startOwnRedis(): Promise<OwnRedis> {
  const port = await freePort();
  let child: ChildProcess | null = null;
  const start = async () => {
    child = spawn(
      "redis-server",
      ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
      { stdio: "ignore" },
    );
    for (let i = 0; i < 100; i++) {
      if (await answers(port)) return;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`redis-server did not answer on port ${port}`);
  };
  const stop = async () => {
    const running = child;
    child = null;
    if (!running || running.exitCode !== null) return;
    const exited = new Promise((r) => running.once("exit", r));
    running.kill("SIGKILL");
    await exited;
  };
  await start();
  const pid = () => (child && child.exitCode === null ? (child.pid ?? null) : null);
  return { url: `redis://127.0.0.1:${port}`, port, start, stop, close: stop, pid };
}
