// The services README examples may use: PostgreSQL (each example its own schema) and Redis.
import { connect } from "node:net";
import { run } from "./proc.mjs";

/** Whether something accepts TCP connections on `host:port` within `timeoutMs`. */
export function tcpAnswers(host, port, timeoutMs = 2_000) {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const finish = (ok) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => finish(false));
    socket.once("connect", () => finish(true));
    socket.once("error", () => finish(false));
  });
}

/** Host and port of a `postgres://` or `redis://` URL. */
export function hostPort(url, defaultPort) {
  const parsed = new URL(url);
  return { host: parsed.hostname || "127.0.0.1", port: Number(parsed.port || defaultPort) };
}

/** Drops `schemas` (created by examples) with the `pg` installed in the scratch project. */
export async function dropSchemas(scratch, databaseUrl, schemas) {
  if (!schemas.length) return { code: 0, output: "" };
  const script = `
    import pg from "pg";
    const client = new pg.Client({ connectionString: process.env.DATABASE_URL });
    await client.connect();
    for (const schema of JSON.parse(process.env.SCHEMAS)) await client.query(\`drop schema if exists "\${schema}" cascade\`);
    await client.end();`;
  return run(process.execPath, ["--input-type=module", "-e", script], {
    cwd: scratch,
    env: { ...process.env, DATABASE_URL: databaseUrl, SCHEMAS: JSON.stringify(schemas) },
    timeoutMs: 60_000,
  });
}
