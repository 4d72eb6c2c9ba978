import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { writeFile } from "node:fs/promises";
import { promisify } from "node:util";
import { freePort } from "./free-port";

const run = promisify(execFile);

/** The PostgreSQL major version scratch clusters are created with when none is given. */
export const SCRATCH_CLUSTER_VERSION = "15";

/** The Debian `postgresql-common` commands a scratch cluster needs. */
const TOOLS = ["pg_createcluster", "pg_ctlcluster", "pg_dropcluster"] as const;

/** Whether scratch clusters can be created here (see {@link checkScratchClusters}). */
export interface ScratchClusterSupport {
  available: boolean;
  /** Why the tests are skipped, `null` when they can run. */
  skipReason: string | null;
}

/**
 * A PostgreSQL cluster of a test's own, on a free port, for tests that stop or restart the
 * server — which must never happen to the shared cluster on 5432. The `postgres` role connects
 * from 127.0.0.1 without a password (`trust`, this cluster only). Call {@link ScratchCluster.drop}
 * when done (`afterAll`): it stops the server and deletes the data directory.
 */
export interface ScratchCluster {
  /** The cluster name (`gk_scratch_<random>`), as `pg_lsclusters` lists it. */
  name: string;
  version: string;
  port: number;
  /** `postgres://postgres@127.0.0.1:<port>/postgres` (no password). */
  url: string;
  /** `pg_ctlcluster … start`; resolves once the server accepts connections. */
  start(): Promise<void>;
  /** `pg_ctlcluster … stop` (fast: open connections are terminated). */
  stop(): Promise<void>;
  /**
   * `pg_ctlcluster … restart`: every open connection is terminated ("terminating connection due to
   * administrator command"); resolves once the server accepts connections again.
   */
  restart(): Promise<void>;
  /** `pg_dropcluster --stop`: stops the server and removes the cluster. Idempotent. */
  drop(): Promise<void>;
}

function isCi(env: Readonly<Record<string, string | undefined>>): boolean {
  const ci = env.CI;
  return ci !== undefined && ci !== "" && ci !== "0" && ci.toLowerCase() !== "false";
}

async function onPath(command: string): Promise<boolean> {
  try {
    await run("sh", ["-c", `command -v ${command}`]);
    return true;
  } catch {
    return false;
  }
}

/**
 * Checks that `pg_createcluster`, `pg_ctlcluster` and `pg_dropcluster` are on `PATH` (Debian's
 * `postgresql-common`). Outside CI, missing tools give `{ available: false, skipReason }` and a
 * warning; with `CI` set it throws, so a CI run never passes by skipping (as `checkPostgres`).
 *
 * @example
 * const clusters = await checkScratchClusters();
 * describe.skipIf(!clusters.available)("survives a Postgres restart", () => { … });
 */
export async function checkScratchClusters(
  options: { env?: Readonly<Record<string, string | undefined>> } = {},
): Promise<ScratchClusterSupport> {
  const env = options.env ?? process.env;
  const missing: string[] = [];
  for (const tool of TOOLS) if (!(await onPath(tool))) missing.push(tool);
  if (missing.length === 0) return { available: true, skipReason: null };
  if (isCi(env)) {
    throw new Error(
      `${missing.join(", ")} not found on PATH; CI is set, so the tests that restart a PostgreSQL cluster of ` +
        "their own fail instead of being skipped. Install postgresql-common (and the server) on the CI image.",
    );
  }
  const skipReason =
    `${missing.join(", ")} not found on PATH: install postgresql-common to run the tests that restart a ` +
    "PostgreSQL cluster of their own (with CI=true they fail instead of being skipped)";
  console.warn(`[store-testkit] skipping scratch-cluster tests: ${skipReason}`);
  return { available: false, skipReason };
}

/** Only the superuser, only from this machine, no password: this cluster is a test's alone. */
const PG_HBA = [
  "# written by @guildkit/store-testkit (scratch cluster)",
  "local all postgres peer",
  "host all postgres 127.0.0.1/32 trust",
  "",
].join("\n");

/**
 * Creates and starts a {@link ScratchCluster}: `pg_createcluster <version> gk_scratch_<random>
 * --port <free port>`, a `pg_hba.conf` that trusts `postgres` on 127.0.0.1, and
 * `pg_ctlcluster --skip-systemctl-redirect … start`. Durability is off (`fsync`,
 * `synchronous_commit`): the data is thrown away with the cluster. Call
 * {@link checkScratchClusters} first to skip where the tools are missing.
 *
 * @example
 * const cluster = await createScratchCluster();
 * afterAll(() => cluster.drop());
 * await cluster.restart(); // every connection to it is terminated
 */
export async function createScratchCluster(options: { version?: string } = {}): Promise<ScratchCluster> {
  const version = options.version ?? SCRATCH_CLUSTER_VERSION;
  const name = `gk_scratch_${randomBytes(4).toString("hex")}`;
  const port = await freePort();
  const ctl = (action: "start" | "stop" | "restart") =>
    run("pg_ctlcluster", ["--skip-systemctl-redirect", version, name, action]).then(() => undefined);
  let dropped = false;
  const cluster: ScratchCluster = {
    name,
    version,
    port,
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    start: () => ctl("start"),
    stop: () => ctl("stop"),
    restart: () => ctl("restart"),
    async drop() {
      if (dropped) return;
      dropped = true;
      await run("pg_dropcluster", ["--stop", version, name]);
    },
  };
  await run("pg_createcluster", [
    version,
    name,
    "--port",
    String(port),
    "--start-conf",
    "manual",
    "-o",
    "fsync=off",
    "-o",
    "synchronous_commit=off",
  ]);
  try {
    await writeFile(`/etc/postgresql/${version}/${name}/pg_hba.conf`, PG_HBA);
    await cluster.start();
  } catch (error) {
    await cluster.drop().catch(() => {});
    throw error;
  }
  return cluster;
}
