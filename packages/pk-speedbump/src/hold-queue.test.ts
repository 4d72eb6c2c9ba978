import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { createHoldQueue } from "./hold-queue";

const at = (ms: number) => new Date(ms);
const item = (messageId: string, due: number, value = "") => ({ messageId, dueAt: at(due), value });

describe("createHoldQueue", () => {
  it("takes due items earliest first and leaves the rest", () => {
    const q = createHoldQueue<ReturnType<typeof item>>();
    q.add(item("b", 20));
    q.add(item("a", 10));
    q.add(item("c", 30));
    expect(q.nextDueAt()).toEqual(at(10));
    expect(q.takeDue(at(20)).map((i) => i.messageId)).toEqual(["a", "b"]);
    expect(q.size).toBe(1);
    expect(q.nextDueAt()).toEqual(at(30));
  });

  it("a removed item is never taken and no longer decides the next due time", () => {
    const q = createHoldQueue<ReturnType<typeof item>>();
    q.add(item("a", 10));
    q.add(item("b", 20));
    expect(q.remove("a")?.messageId).toBe("a");
    expect(q.remove("a")).toBeUndefined();
    expect(q.nextDueAt()).toEqual(at(20));
    expect(q.takeDue(at(100)).map((i) => i.messageId)).toEqual(["b"]);
    expect(q.nextDueAt()).toBeNull();
  });

  it("re-adding an id moves it to its new due time; replace keeps the place", () => {
    const q = createHoldQueue<ReturnType<typeof item>>();
    q.add(item("a", 10, "v1"));
    q.add(item("b", 20));
    q.add(item("a", 30, "v2"));
    q.replace(item("a", 30, "v3"));
    expect(q.takeDue(at(25)).map((i) => i.messageId)).toEqual(["b"]);
    expect(q.takeDue(at(30))).toMatchObject([{ messageId: "a", value: "v3" }]);
  });

  it("equal due times come out in insertion order", () => {
    const q = createHoldQueue<ReturnType<typeof item>>();
    for (const id of ["x", "y", "z"]) q.add(item(id, 5));
    expect(q.takeDue(at(5)).map((i) => i.messageId)).toEqual(["x", "y", "z"]);
  });

  it("behaves like a sorted list under any sequence of adds and removes", () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.oneof(
            fc.record({
              op: fc.constant("add" as const),
              id: fc.integer({ min: 0, max: 20 }),
              due: fc.nat(100),
            }),
            fc.record({ op: fc.constant("remove" as const), id: fc.integer({ min: 0, max: 20 }) }),
            fc.record({ op: fc.constant("take" as const), now: fc.nat(100) }),
          ),
        ),
        (ops) => {
          const q = createHoldQueue<ReturnType<typeof item>>();
          const model = new Map<string, number>();
          for (const op of ops) {
            if (op.op === "add") {
              q.add(item(String(op.id), op.due));
              model.set(String(op.id), op.due);
            } else if (op.op === "remove") {
              expect(q.remove(String(op.id))?.messageId).toBe(
                model.has(String(op.id)) ? String(op.id) : undefined,
              );
              model.delete(String(op.id));
            } else {
              const taken = q.takeDue(at(op.now)).map((i) => i.dueAt.getTime());
              const expected = [...model.entries()].filter(([, d]) => d <= op.now);
              for (const [id] of expected) model.delete(id);
              expect(taken).toEqual(expected.map(([, d]) => d).sort((a, b) => a - b));
            }
            expect(q.size).toBe(model.size);
            const min = Math.min(...model.values());
            expect(q.nextDueAt()?.getTime() ?? null).toBe(model.size ? min : null);
          }
        },
      ),
    );
  });
});
