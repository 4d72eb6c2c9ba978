import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { discordConfigSpec } from "./discord";
import { ConfigValidationError } from "./errors";
import { createConfigLoader } from "./loader";
import { memoryConfigStore } from "./test-store";
import { checkConfig, validateConfig } from "./validate";

const PROTOTYPE_KEYS = ["__proto__", "constructor", "prototype", "toString", "hasOwnProperty"] as const;
const FIELDS = Object.keys(discordConfigSpec.fields);

/** An object as `JSON.parse` builds it: every key an own property, `__proto__` included. */
function asParsedJson(entries: readonly (readonly [string, unknown])[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of entries) {
    Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true });
  }
  return out;
}

/** Random objects with at least one prototype key mixed among random and real field keys. */
const withPrototypeKeys = fc
  .tuple(
    fc.uniqueArray(fc.constantFrom(...PROTOTYPE_KEYS), { minLength: 1 }),
    fc.dictionary(fc.oneof(fc.constantFrom(...FIELDS), fc.string({ maxLength: 8 })), fc.jsonValue(), {
      maxKeys: 5,
    }),
    fc.jsonValue(),
  )
  .map(([protoKeys, rest, value]) => {
    const entries: [string, unknown][] = Object.entries(rest).filter(
      ([k]) => !(PROTOTYPE_KEYS as readonly string[]).includes(k),
    );
    for (const key of protoKeys) entries.splice(entries.length % 3, 0, [key, value]);
    return { protoKeys, input: asParsedJson(entries) };
  });

const memoryStore = (initial: Record<string, unknown> | null = null) => memoryConfigStore({ initial });

const untouchedPrototype = () => {
  for (const key of ["polluted", ...FIELDS]) expect(Object.hasOwn(Object.prototype, key)).toBe(false);
};

describe("prototype keys in configuration values", () => {
  it("validateConfig reports every prototype key as an unknown setting", () => {
    fc.assert(
      fc.property(withPrototypeKeys, ({ protoKeys, input }) => {
        let error: unknown = null;
        try {
          validateConfig(discordConfigSpec, input);
        } catch (e) {
          error = e;
        }
        expect(error).toBeInstanceOf(ConfigValidationError);
        const unknown = (error as ConfigValidationError).issues
          .filter((i) => i.message === "is not a discord setting")
          .map((i) => i.field);
        for (const key of protoKeys) expect(unknown).toContain(key);
        untouchedPrototype();
      }),
    );
  });

  it("a save with prototype keys is refused, writes nothing and reaches no prototype", async () => {
    await fc.assert(
      fc.asyncProperty(withPrototypeKeys, async ({ protoKeys, input }) => {
        const { store, versions } = memoryStore();
        const loader = createConfigLoader({ store, spec: discordConfigSpec });
        const error = await loader.save(input).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(ConfigValidationError);
        const fields = (error as ConfigValidationError).issues.map((i) => i.field);
        for (const key of protoKeys) expect(fields).toContain(key);
        expect(versions).toHaveLength(0);
        untouchedPrototype();
      }),
    );
  });

  it("valid settings with a prototype key beside them are refused as a whole", async () => {
    for (const key of PROTOTYPE_KEYS) {
      const { store, versions } = memoryStore();
      const input = asParsedJson([
        ["guild_id", "200000000000000002"],
        [key, { guild_id: "900000000000000009", sync_interval_hours: 1 }],
      ]);
      await expect(createConfigLoader({ store, spec: discordConfigSpec }).save(input)).rejects.toMatchObject({
        issues: [{ field: key, message: "is not a discord setting" }],
      });
      expect(versions).toHaveLength(0);
    }
  });

  it("prototype keys in stored values never reach the values read", async () => {
    await fc.assert(
      fc.asyncProperty(withPrototypeKeys, async ({ input }) => {
        const check = checkConfig(discordConfigSpec, input, { unknownKeys: "ignore" });
        expect(Object.keys(check.values).sort()).toEqual([...FIELDS].sort());
        expect(Object.getPrototypeOf(check.values)).toBe(Object.prototype);
        for (const key of PROTOTYPE_KEYS) {
          if (key !== "__proto__") expect(Object.hasOwn(check.values, key)).toBe(false);
        }
        // a field value can come only from the field's own key, never through a prototype key
        const described = await createConfigLoader({
          store: memoryStore(input).store,
          spec: discordConfigSpec,
        }).describe();
        expect(described.fields.map((f) => f.key)).toEqual(FIELDS);
        untouchedPrototype();
      }),
    );
  });

  it("a field is not set through __proto__ (the value does not leak in from a prototype)", async () => {
    const input = asParsedJson([["__proto__", { guild_id: "900000000000000009" }]]);
    expect(checkConfig(discordConfigSpec, input, { unknownKeys: "ignore" }).values.guild_id).toBeNull();
    const { store } = memoryStore(input);
    expect((await createConfigLoader({ store, spec: discordConfigSpec }).load()).guild_id).toBeNull();
  });
});
