import type { Delivery } from "../delivery";
import type { RelaySink } from "./ports";
import { sinkEditBody, sinkPostBody } from "./sink-message";

/** What the sink did, counted. */
export interface SinkCounters {
  forwarded: number;
  edited: number;
  deleted: number;
}

/**
 * The speedbump's delivery sink for a relay: a create is posted (and its sink id remembered in
 * `mirrored`), an edit or delete of a relayed message is mirrored; one of a message this process did
 * not relay is ignored.
 */
export function createSinkDelivery(
  sink: RelaySink,
  mirrored: Map<string, string>,
  counters: SinkCounters,
): (delivery: Delivery) => Promise<void> {
  return async (delivery) => {
    if (delivery.type === "create") {
      const posted = await sink.post({ body: sinkPostBody(delivery.message, delivery.author) });
      mirrored.set(delivery.message.id, posted.id);
      counters.forwarded++;
      return;
    }
    if (delivery.type === "update") {
      const { update } = delivery;
      const target = mirrored.get(update.id);
      if (!target || update.content === undefined) return;
      await sink.edit({
        messageId: target,
        body: sinkEditBody({ content: update.content, attachments: update.attachments }),
      });
      counters.edited++;
      return;
    }
    const target = mirrored.get(delivery.messageId);
    if (!target) return;
    await sink.delete({ messageId: target });
    mirrored.delete(delivery.messageId);
    counters.deleted++;
  };
}
