import { describe, expect, it } from "vitest";
import { TemplateError } from "./errors";
import { checkTemplate, compileTemplate } from "./template";

const columns = ["id", "email", "Name", "note", "score", "tags"];
const row = {
  old: { id: 1, email: "old@example.com", Name: "Old", note: null, score: 1.5, tags: ["a"] },
  new: {
    id: 1,
    email: "new@example.com",
    Name: "New",
    note: null,
    score: 80351110224678912n,
    tags: { k: true },
  },
};

describe("compileTemplate", () => {
  it("reads the new row for INSERT/UPDATE and the old row for DELETE", () => {
    expect(compileTemplate("{email}", { columns, operation: "UPDATE" }).render(row)).toBe("new@example.com");
    expect(compileTemplate("{email}", { columns, operation: "DELETE" }).render(row)).toBe("old@example.com");
  });

  it("reads {new.x} and {old.x} explicitly, in any case", () => {
    const t = compileTemplate("{old.email} → {NEW.email}", { columns, operation: "UPDATE" });
    expect(t.render(row)).toBe("old@example.com → new@example.com");
  });

  it("renders NULL and missing values as empty text, and other values plainly", () => {
    const t = compileTemplate("[{note}] {score} {tags} {old.score} {old.tags}", {
      columns,
      operation: "UPDATE",
    });
    expect(t.render(row)).toBe('[] 80351110224678912 {"k":true} 1.5 ["a"]');
    expect(t.render({ old: null, new: null })).toBe("[]    ");
  });

  it("turns {{ and }} into literal braces", () => {
    const t = compileTemplate('{{"id": {id}}} {{name}}', { columns, operation: "INSERT" });
    expect(t.render(row)).toBe('{"id": 1} {name}');
  });

  it("matches column names ignoring case and records the table's spelling", () => {
    const t = compileTemplate("Hi {name}", { columns, operation: "INSERT" });
    expect(t.placeholders).toEqual([{ row: "new", column: "Name", written: "{name}", position: 3 }]);
    expect(t.render(row)).toBe("Hi New");
  });

  it("compiles once and renders many rows", () => {
    const t = compileTemplate("#{id}: {email}", { columns, operation: "INSERT" });
    const out = Array.from({ length: 3 }, (_, i) => t.render({ old: null, new: { id: i, email: `u${i}` } }));
    expect(out).toEqual(["#0: u0", "#1: u1", "#2: u2"]);
  });

  it("skips the column check when columns are null (delivery time)", () => {
    const t = compileTemplate("{gone}!", { columns: null, operation: "INSERT" });
    expect(t.render(row)).toBe("!");
  });
});

describe("checkTemplate names every problem", () => {
  it("refuses an unknown placeholder, listing the table's columns and the closest one", () => {
    const [err] = checkTemplate("Hello {emial}", { columns, operation: "INSERT" });
    expect(err).toBeInstanceOf(TemplateError);
    expect(err?.reason).toBe("unknown_placeholder");
    expect(err?.position).toBe(6);
    expect(err?.placeholder).toBe("{emial}");
    expect(err?.columns).toEqual(columns);
    expect(err?.suggestion).toBe("email");
    expect(err?.message).toContain("did you mean {email}?");
    expect(err?.message).toContain("id, email, Name, note, score, tags");
  });

  it("refuses rows the operation does not have", () => {
    expect(checkTemplate("{old.email}", { columns, operation: "INSERT" })[0]?.reason).toBe(
      "row_not_available",
    );
    expect(checkTemplate("{new.email}", { columns, operation: "DELETE" })[0]?.reason).toBe(
      "row_not_available",
    );
    expect(checkTemplate("{new.email}", { columns, operation: "INSERT" })).toEqual([]);
    expect(checkTemplate("{old.email}", { columns, operation: "DELETE" })).toEqual([]);
  });

  it("refuses stray braces and things that are not placeholders", () => {
    const problems = checkTemplate("a } b {x.y} c { d} {", { columns, operation: "INSERT" });
    expect(problems.map((p) => [p.reason, p.position])).toEqual([
      ["unmatched_brace", 2],
      ["invalid_placeholder", 6],
      ["invalid_placeholder", 14],
      ["unclosed_placeholder", 19],
    ]);
  });

  it("refuses JSON-looking text unless its braces are doubled", () => {
    expect(checkTemplate('{"a": 1}', { columns, operation: "INSERT" })[0]?.reason).toBe(
      "invalid_placeholder",
    );
    expect(checkTemplate('{{"a": 1}}', { columns, operation: "INSERT" })).toEqual([]);
  });

  it("compileTemplate throws the first problem", () => {
    expect(() => compileTemplate("{nope} {nada}", { columns, operation: "INSERT" })).toThrow(
      /no column nope/,
    );
  });
});
