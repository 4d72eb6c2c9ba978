import type { Dialect, GuildkitStore } from "@guildkit/store-kysely";
import { describe, onTestFinished } from "vitest";
import { storeCases } from "./cases/index";
import type {
  HostMembersShape,
  StoreCaseContext,
  StoreCases,
  TestStoreHandle,
  TestStoreOptions,
} from "./define";

/** Options of {@link runStoreConformance}. */
export interface StoreConformanceOptions<TStore extends GuildkitStore = GuildkitStore> {
  /** Suite name, e.g. `store-sqlite`. */
  name: string;
  dialect: Dialect;
  /** Creates a fresh database and a store on it; called once per test. */
  setup(options: TestStoreOptions): Promise<TestStoreHandle<TStore>>;
  /** When a string, the suite is registered as skipped with this reason (e.g. Postgres unreachable). */
  skip?: string | null;
  /**
   * Runs the cases on a host's own member table (created before each store migrates) instead of the
   * seed system's `members`; pass the cases that take one (`hostMemberCases`).
   */
  hostMembers?: HostMembersShape;
}

/**
 * Runs every registered feature's conformance cases against one store implementation. Every test
 * gets its own fresh database from `setup` and tears it down afterwards.
 *
 * @example
 * import * as sqlite from "@guildkit/store-sqlite";
 * runStoreConformance({ name: "store-sqlite", dialect: "sqlite", setup: (o) => createSqliteTestStore(sqlite, o) });
 */
export function runStoreConformance<TStore extends GuildkitStore>(
  options: StoreConformanceOptions<TStore>,
  cases: readonly StoreCases[] = storeCases,
): void {
  const shape = options.hostMembers ? `, host table ${options.hostMembers.members.table}` : "";
  const title = `${options.name} conformance (${options.dialect}${shape})`;
  if (options.skip) {
    describe.skip(`${title} — skipped: ${options.skip}`, () => {
      for (const c of cases)
        describe(c.feature, () =>
          c.define({
            dialect: options.dialect,
            fresh: unreachable,
            hostMembers: options.hostMembers ?? null,
          }),
        );
    });
    return;
  }
  const host = options.hostMembers;
  describe(title, () => {
    const ctx: StoreCaseContext = {
      dialect: options.dialect,
      hostMembers: host ?? null,
      async fresh(freshOptions = {}) {
        const handle = await options.setup({
          migrate: true,
          ...(host ? { members: host.members, prepare: (db) => host.create(db, options.dialect) } : {}),
          ...freshOptions,
        });
        onTestFinished(() => handle.teardown());
        return handle;
      },
    };
    for (const c of cases) describe(c.feature, () => c.define(ctx));
  });
}

async function unreachable(): Promise<never> {
  throw new Error("this conformance suite is skipped");
}
