import { it } from "vitest";
import { startWorld } from "./helpers";
it("debug", async () => {
  for (let round = 0; round < 1; round++) {
    const world = await startWorld({ routeLimits: { get_member: { limit: 2, windowMs: 300 }, member_role: { limit: 3, windowMs: 300 }, execute_webhook: { limit: 2, windowMs: 300 } } });
    const { sim, demo } = world;
    const rest = world.client({ rps: 40 });
    const role = { guildId: demo.guildId, userId: demo.users.alice, roleId: demo.memberRoleId };
    await Promise.all([
      ...Array.from({ length: 10 }, () => rest.getGuildMember({ guildId: demo.guildId, userId: demo.users.alice })),
      ...Array.from({ length: 9 }, (_, i) => (i % 2 === 0 ? rest.addGuildMemberRole(role) : rest.removeGuildMemberRole(role))),
      ...Array.from({ length: 6 }, (_, i) => rest.executeWebhook({ webhookId: demo.webhook.id, webhookToken: demo.webhook.token, body: { content: `${i}` } })),
    ]);
    const log = sim.inspect.requests();
    if (log.some((r) => r.status === 429)) {
      const t0 = log[0]!.at;
      console.log(log.map((r) => `${r.at - t0} ${r.method} ${r.route} ${r.status}`).join("\n"));
    }
    await world.close();
  }
}, 120000);
