import type { APIMessage, APIWebhook } from "discord-api-types/v10";
import type { DiscordRest, ExecuteWebhookInput } from "./client-types";
import { DiscordApiError } from "./errors";
import type { Pipeline } from "./request";
import { type Route, routes } from "./route";
import { messageSchema, webhookSchema } from "./schemas";
import { validate } from "./validate";

type WebhookEndpoints = Pick<
  DiscordRest,
  "executeWebhook" | "getWebhookWithToken" | "editWebhookMessage" | "deleteWebhookMessage"
>;

/**
 * Webhook execution and message edits. A webhook that answered 404 Unknown Webhook (10015) is
 * remembered: Discord restricts clients that keep calling deleted webhooks, so later calls throw the
 * same error without a request.
 */
export function webhookEndpoints(api: Pipeline): WebhookEndpoints {
  const deadWebhooks = new Set<string>();

  const rememberDeadWebhook = async <T>(webhookId: string, route: Route, run: () => Promise<T>) => {
    if (deadWebhooks.has(webhookId)) {
      throw new DiscordApiError(
        `${route.template} → 404 Unknown Webhook (code 10015), remembered from an earlier answer: the webhook was deleted; do not retry — update the webhook URL or disable the definition`,
        {
          route: route.template,
          status: 404,
          code: 10015,
          retryable: false,
          discordMessage: "Unknown Webhook",
        },
      );
    }
    try {
      return await run();
    } catch (error) {
      if (error instanceof DiscordApiError && error.status === 404 && error.code === 10015) {
        deadWebhooks.add(webhookId);
      }
      throw error;
    }
  };

  const executeWebhook = async (
    input: ExecuteWebhookInput & { wait?: boolean },
  ): Promise<APIMessage | null> => {
    const route = routes.executeWebhook(input.webhookId, input.webhookToken);
    const wait = input.wait ?? true;
    return rememberDeadWebhook(input.webhookId, route, async () => {
      const response = await api.send(route, {
        base: "api",
        body: input.body,
        query: { wait, thread_id: input.threadId ?? undefined },
        signal: input.signal,
      });
      if (!wait || response.status === 204) return null;
      return validate(messageSchema, response, route) as unknown as APIMessage;
    });
  };

  return {
    executeWebhook: executeWebhook as DiscordRest["executeWebhook"],
    async getWebhookWithToken({ webhookId, webhookToken, signal }) {
      const route = routes.getWebhookWithToken(webhookId, webhookToken);
      return rememberDeadWebhook(webhookId, route, async () => {
        const response = await api.send(route, { base: "api", signal });
        return validate(webhookSchema, response, route) as unknown as APIWebhook;
      });
    },
    async editWebhookMessage({ webhookId, webhookToken, messageId, body, threadId, signal }) {
      const route = routes.webhookMessage("PATCH", webhookId, webhookToken, messageId);
      return rememberDeadWebhook(webhookId, route, async () => {
        const response = await api.send(route, {
          base: "api",
          body,
          query: { thread_id: threadId ?? undefined },
          signal,
        });
        return validate(messageSchema, response, route) as unknown as APIMessage;
      });
    },
    async deleteWebhookMessage({ webhookId, webhookToken, messageId, threadId, signal }) {
      const route = routes.webhookMessage("DELETE", webhookId, webhookToken, messageId);
      return rememberDeadWebhook(webhookId, route, async () => {
        try {
          await api.send(route, { base: "api", query: { thread_id: threadId ?? undefined }, signal });
          return true;
        } catch (error) {
          if (error instanceof DiscordApiError && error.status === 404 && error.code === 10008) return false;
          throw error;
        }
      });
    },
  };
}
