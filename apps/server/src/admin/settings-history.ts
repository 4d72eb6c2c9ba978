import type { ConfigSpec, MaskedConfigVersion } from "@guildkit/config";
import { html, type SafeHtml } from "./html";

/** What changed from one version to the next: non-secret values shown, secrets only named. */
export interface VersionDiff {
  changed: { key: string; label: string; from: string; to: string }[];
  secretsChanged: string[];
}

const shown = (value: unknown) => (value === null || value === undefined ? "—" : JSON.stringify(value));

/** The difference between a version and the one before it (`null` for the first shown). */
export function diffVersions(
  spec: ConfigSpec,
  before: MaskedConfigVersion | null,
  after: MaskedConfigVersion,
): VersionDiff {
  const diff: VersionDiff = { changed: [], secretsChanged: [] };
  for (const [key, def] of Object.entries(spec.fields)) {
    const from = before?.values[key] ?? null;
    const to = after.values[key] ?? null;
    if (JSON.stringify(from) === JSON.stringify(to)) continue;
    if (def.secret) diff.secretsChanged.push(def.label);
    else diff.changed.push({ key, label: def.label, from: shown(from), to: shown(to) });
  }
  return diff;
}

/** The version history table of one module, newest first, with who/when and the diff. */
export function historyTable(module: string, spec: ConfigSpec, versions: MaskedConfigVersion[]): SafeHtml {
  if (versions.length === 0) return html`<p class="muted">No version saved yet.</p>`;
  const rows = versions.map((v, i) => {
    const diff = diffVersions(spec, versions[i + 1] ?? null, v);
    const changes = [
      ...diff.changed.map((d) => html`<li><strong>${d.label}</strong>: ${d.from} → ${d.to}</li>`),
      ...diff.secretsChanged.map((label) => html`<li><strong>${label}</strong>: secret changed</li>`),
    ];
    return html`<tr><td>${v.version}</td><td>${new Date(v.createdAt).toISOString()}</td><td>${
      v.createdBy ?? "unknown"
    }</td><td>${changes.length > 0 ? html`<ul>${changes}</ul>` : html`<span class="muted">no change</span>`}</td></tr>`;
  });
  return html`<table id="history-${module}"><thead><tr><th>Version</th><th>Saved at (UTC)</th><th>By</th><th>Changes</th></tr></thead><tbody>${rows}</tbody></table>`;
}
