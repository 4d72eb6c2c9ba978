import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createServerApp } from "../src/app";
import { createTestContext, TEST_ADMIN_TOKEN } from "./helpers";
import { listen, sendPartially } from "./http";

let server: Awaited<ReturnType<typeof listen>>;
let teardown: () => Promise<void>;
beforeAll(async () => {
  const made = await createTestContext();
  teardown = made.teardown;
  server = await listen(createServerApp(made.ctx));
});
afterAll(async () => {
  await server.close();
  await teardown();
});

const get = (path: string, authorization: string) =>
  sendPartially({
    port: server.port,
    method: "GET",
    path,
    headers: { authorization },
    chunks: [],
    end: true,
  });

describe("the admin credential, over HTTP", () => {
  it("is exactly `Bearer`, one space and the token: every variant is refused with 401 and a challenge", async () => {
    for (const path of ["/admin/api/webhooks", "/admin/api/config/discord"]) {
      expect((await get(path, `Bearer ${TEST_ADMIN_TOKEN}`)).status, path).toBe(200);
      for (const authorization of [
        `bearer   ${TEST_ADMIN_TOKEN}  `,
        `bearer ${TEST_ADMIN_TOKEN}`,
        `BEARER ${TEST_ADMIN_TOKEN}`,
        `Bearer  ${TEST_ADMIN_TOKEN}`,
        `Bearer\t${TEST_ADMIN_TOKEN}`,
        `Bearer ${TEST_ADMIN_TOKEN} x`,
        `Bearer ${TEST_ADMIN_TOKEN}x`,
        `Bearer ${TEST_ADMIN_TOKEN.slice(1)}`,
        `Basic ${TEST_ADMIN_TOKEN}`,
        TEST_ADMIN_TOKEN,
        "Bearer",
      ]) {
        const answer = await get(path, authorization);
        expect(answer.status, JSON.stringify(authorization)).toBe(401);
        expect(answer.headers["www-authenticate"]).toContain("Bearer");
        expect(answer.body).not.toContain(TEST_ADMIN_TOKEN);
      }
    }
  });
});
