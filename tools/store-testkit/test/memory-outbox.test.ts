import { systemClock, systemScheduler } from "@guildkit/core/system";
import { createMemoryOutbox } from "@guildkit/webhook-templates";
import { describe } from "vitest";
import { defineWebhookOutboxCases } from "../src/ports/webhook-outbox";

describe("WebhookOutbox conformance: createMemoryOutbox", () => {
  defineWebhookOutboxCases(async () => {
    const outbox = createMemoryOutbox({ clock: systemClock, scheduler: systemScheduler });
    let webhooks = 0;
    return {
      outbox,
      async addWebhook() {
        const id = String(++webhooks);
        outbox.addWebhook({
          id,
          url: `https://discord.com/api/webhooks/12345678901234567${id}/tok-en`,
          template: "{n}",
          username: null,
          avatarUrl: null,
          mentionUserColumns: [],
        });
        return id;
      },
      async change(webhookId, n) {
        outbox.enqueue({ webhookId, operation: "INSERT", new: { n } });
      },
      async rows() {
        return outbox.events.map((e) => ({
          id: e.id,
          webhookId: e.webhookId,
          state: e.state,
          attempts: e.attempts,
          leaseOwner: e.leaseOwner,
          messageId: e.messageId,
          possibleDuplicate: e.possibleDuplicate,
          lastError: e.lastError,
          deadReason: e.deadReason,
        }));
      },
      async webhook(id) {
        const w = outbox.webhooks.get(id);
        return w ? { enabled: w.enabled, disabledReason: w.disabledReason } : null;
      },
    };
  });
});
