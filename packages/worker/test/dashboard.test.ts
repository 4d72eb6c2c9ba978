import { readdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";

const root = resolve(import.meta.dirname, "../../..");
const operations = readFileSync(join(root, "docs/operations.md"), "utf8");
const dashboard = JSON.parse(readFileSync(join(root, "docs/grafana-dashboard.json"), "utf8")) as {
  __inputs: { name: string; type: string; pluginId: string }[];
  panels: {
    type: string;
    title: string;
    datasource?: { uid: string };
    targets?: { expr: string; datasource: { uid: string } }[];
  }[];
};

/** The metric names of the Metrics section's tables (first column). */
const documented = (() => {
  const section = operations.slice(operations.indexOf("## Metrics"));
  const names = [...section.matchAll(/^\| `(guildkit_[a-z_]+)` \|/gm)].map((m) => m[1] as string);
  return new Set(names);
})();

/** Every source file of the worker package and the server app. */
function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sources(path);
    return entry.name.endsWith(".ts") && !entry.name.endsWith(".test.ts") ? [path] : [];
  });
}
const code = [join(root, "packages/worker/src"), join(root, "apps/server/src")]
  .flatMap(sources)
  .map((file) => readFileSync(file, "utf8"))
  .join("\n");

// biome-ignore lint/suspicious/noTemplateCurlyInString: Grafana's import placeholder, not a JS template
const DS_PROMETHEUS = "${DS_PROMETHEUS}";
const panels = dashboard.panels.filter((p) => p.type !== "row");
const queried = new Set(
  panels
    .flatMap((p) => p.targets ?? [])
    .flatMap((t) => [...t.expr.matchAll(/guildkit_[a-z_]+/g)].map((m) => m[0].replace(/_bucket$/, ""))),
);

describe("docs/grafana-dashboard.json and the Metrics section of docs/operations.md", () => {
  it("the dashboard imports with its Prometheus data source as the DS_PROMETHEUS input", () => {
    expect(dashboard.__inputs).toEqual([
      expect.objectContaining({ name: "DS_PROMETHEUS", type: "datasource", pluginId: "prometheus" }),
    ]);
    for (const panel of panels) {
      expect(panel.datasource?.uid, panel.title).toBe(DS_PROMETHEUS);
      for (const target of panel.targets ?? []) expect(target.datasource.uid).toBe(DS_PROMETHEUS);
    }
  });

  it("documents every metric the code registers under that name, and the dashboard queries only documented ones, all of them", () => {
    expect(documented.size).toBeGreaterThanOrEqual(25);
    for (const name of documented)
      expect(code, `${name} is documented but not in the code`).toContain(`"${name}"`);
    // Names as the code registers them: `name: "…"`, or the first argument after the registry.
    const registered = new Set(
      [...code.matchAll(/(?:name:\s*|registry,\s*)"(guildkit_[a-z_]+)"/g)].map((m) => m[1] as string),
    );
    expect(registered.size).toBe(documented.size);
    for (const name of registered)
      expect(documented, `${name} is registered but not documented`).toContain(name);
    for (const name of queried) expect(documented, `the dashboard queries ${name}`).toContain(name);
    for (const name of documented) expect(queried, `no panel shows ${name}`).toContain(name);
  });
});
