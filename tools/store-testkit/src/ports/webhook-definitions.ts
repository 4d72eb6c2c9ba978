import type { WebhookStore } from "@guildkit/store-kysely";
import { WebhookDefinitionError } from "@guildkit/webhook-templates";
import { expect, it } from "vitest";

/** A definition row as the kit reads it back, straight from the storage. */
export interface DefinitionRow {
  url: string;
  template: string;
  table: string;
  operation: string;
  when: string;
  enabled: boolean;
  disabledReason: string | null;
}

/** One implementation of the webhook definitions under test, with a backdoor. */
export interface WebhookDefinitionsSubject {
  definitions: Pick<WebhookStore, "list" | "get" | "create" | "update" | "remove">;
  /** Creates a watchable table `name` with columns `id` (key), `name` (text) and `qty` (integer). */
  createTable(name: string): Promise<void>;
  /** The stored row of a definition, read directly; `null` when there is none. */
  row(id: string): Promise<DefinitionRow | null>;
  /** Whether the definition's trigger is installed, read from the catalog. */
  hasTrigger(id: string): Promise<boolean>;
}

const URL = "https://discord.com/api/webhooks/123456789012345678/tok-en";
const NOT_IDS = ["0", "-1", "abc", "1.5", "9223372036854775808"];

/**
 * The conformance cases of the webhook definitions (`store.webhooks`' `list`, `get`, `create`,
 * `update`, `remove`), registered with vitest's `it` in the current `describe`: every write is
 * validated by the core, installs or drops the trigger with the row, and is read back through
 * `row`/`hasTrigger`, not only through the port. Both SQL stores run them through the store
 * conformance suite (`webhooks` feature). `fresh` gives a new, empty subject per test.
 */
export function defineWebhookDefinitionsCases(fresh: () => Promise<WebhookDefinitionsSubject>): void {
  const base = { url: URL, template: "{name} x{qty}", table: "kit_orders", operation: "INSERT" };

  it("create stores the validated definition with its trigger; get and list return it", async () => {
    const s = await fresh();
    await s.createTable("kit_orders");
    const created = await s.definitions.create({ ...base, table: "KIT_ORDERS", when: "NEW.qty > 1" });
    expect(created).toMatchObject({
      table: "kit_orders",
      when: "NEW.qty > 1",
      enabled: true,
      disabledReason: null,
    });
    expect(await s.row(created.id)).toEqual({
      url: URL,
      template: "{name} x{qty}",
      table: "kit_orders",
      operation: "INSERT",
      when: "NEW.qty > 1",
      enabled: true,
      disabledReason: null,
    });
    expect(await s.hasTrigger(created.id)).toBe(true);
    expect(await s.definitions.get(created.id)).toEqual(created);
    expect((await s.definitions.list()).map((d) => d.id)).toEqual([created.id]);
  });

  it("an invalid definition is a WebhookDefinitionError naming every problem, and stores nothing", async () => {
    const s = await fresh();
    await s.createTable("kit_orders");
    const err = await s.definitions
      .create({ ...base, template: "{nope}", when: "NEW.qty = " })
      .catch((e) => e);
    expect(err).toBeInstanceOf(WebhookDefinitionError);
    expect((err as WebhookDefinitionError).issues.map((i) => i.path[0])).toEqual(["template", "when"]);
    expect(await s.definitions.list()).toEqual([]);
  });

  it("update replaces the definition and its trigger; disabling drops the trigger, enabling clears the reason", async () => {
    const s = await fresh();
    await s.createTable("kit_orders");
    const w = await s.definitions.create(base);
    const updated = await s.definitions.update(w.id, { ...base, template: "{name}", enabled: false });
    expect(updated).toMatchObject({ id: w.id, template: "{name}", enabled: false });
    expect(await s.row(w.id)).toMatchObject({ template: "{name}", enabled: false });
    expect(await s.hasTrigger(w.id)).toBe(false);
    const enabled = await s.definitions.update(w.id, { ...base, when: "NEW.qty > 2" });
    expect(enabled).toMatchObject({ enabled: true, when: "NEW.qty > 2", disabledReason: null });
    expect(await s.hasTrigger(w.id)).toBe(true);
    const refused = await s.definitions.update(w.id, { ...base, template: "{nope}" }).catch((e) => e);
    expect(refused).toBeInstanceOf(WebhookDefinitionError);
    expect(await s.row(w.id)).toMatchObject({ when: "NEW.qty > 2", enabled: true });
  });

  it("remove deletes the row and its trigger, once", async () => {
    const s = await fresh();
    await s.createTable("kit_orders");
    const w = await s.definitions.create(base);
    expect(await s.definitions.remove(w.id)).toBe(true);
    expect(await s.row(w.id)).toBeNull();
    expect(await s.hasTrigger(w.id)).toBe(false);
    expect(await s.definitions.remove(w.id)).toBe(false);
    expect(await s.definitions.get(w.id)).toBeNull();
  });

  it("an id that is not a row id is absent: get and update give null, remove false", async () => {
    const s = await fresh();
    await s.createTable("kit_orders");
    await s.definitions.create(base);
    for (const id of NOT_IDS) {
      expect(await s.definitions.get(id), id).toBeNull();
      expect(await s.definitions.update(id, base), id).toBeNull();
      expect(await s.definitions.remove(id), id).toBe(false);
    }
    expect(await s.definitions.list()).toHaveLength(1);
  });
}
