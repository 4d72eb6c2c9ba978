import { createSessions } from "@guildkit/oauth-state";
import { createStorePorts } from "@guildkit/store-kysely";
import { expect, it } from "vitest";
import { defineStoreCases } from "../define";
import { defineSessionStoreCases } from "../ports/session-store";
import { sessionRow } from "./sessions";

const T0 = new Date("2026-12-03T12:00:00.000Z");

/**
 * `store.adminSessions` (migration `017-admin-sessions`, foundation): the `SessionStore` port's cases
 * on the admin console's table, which every store has whatever its features.
 */
export const adminSessionCases = defineStoreCases("admin sessions", ({ fresh, dialect }) => {
  let labels = 0;
  defineSessionStoreCases(async () => {
    const { store, db } = await fresh();
    return {
      sessions: store.adminSessions,
      createMember: async () => `admin-${++labels}`,
      row: (idHash) => sessionRow(db, idHash, "admin_sessions"),
    };
  });

  it("a store without the login feature has them; a session started through one store is read through another on the same database", async () => {
    const { store, db } = await fresh({ features: ["webhooks"] });
    const rules = { clock: { now: () => T0 }, secureCookies: false, cookieName: "gk_admin" };
    const first = createSessions({ store: store.adminSessions, ...rules });
    const { setCookie } = await first.start({ memberId: "admin" });
    const id = /^gk_admin=([^;]+);/.exec(setCookie)?.[1] ?? "";
    expect(id).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const rows = await db.selectFrom("admin_sessions").selectAll().execute();
    expect(rows).toHaveLength(1);
    expect(JSON.stringify(rows)).not.toContain(id);
    // Another server: ports of its own on the same database.
    const elsewhere = createStorePorts(db, dialect, { features: ["webhooks"] });
    const other = createSessions({ store: elsewhere.adminSessions, ...rules });
    const request = new Request("http://x/", { headers: { cookie: `gk_admin=${id}` } });
    expect(await other.read(request)).toMatchObject({ memberId: "admin" });
  });
});
