import { expect, it } from "vitest";
import { createLines } from "./lines";

it("runs a line's tasks one after another, other lines meanwhile, and goes on after a failure", async () => {
  const lines = createLines();
  const order: string[] = [];
  let openA: () => void = () => {};
  const gate = new Promise<void>((resolve) => {
    openA = resolve;
  });
  const a1 = lines.run("a", async () => {
    await gate;
    order.push("a1");
    throw new Error("a1 failed");
  });
  const a2 = lines.run("a", async () => void order.push("a2"));
  await lines.run("b", async () => void order.push("b1"));
  expect(order).toEqual(["b1"]);
  openA();
  await expect(a1).rejects.toThrow("a1 failed");
  await a2;
  expect(order).toEqual(["b1", "a1", "a2"]);
  await Promise.all([...lines.tails()]);
  expect(lines.size).toBe(0);
});
