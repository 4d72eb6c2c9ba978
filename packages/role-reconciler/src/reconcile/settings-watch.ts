import type { Engine } from "./engine";
import type { RoleSyncSettings } from "./options";

/** Notices settings changes between runs. */
export interface SettingsWatch {
  /**
   * Settings changed: forget what was learnt about the old ones (blocks, the guild listing, the
   * guild size when the guild changed) and, when they differ from the settings last applied — by
   * this process or, before a restart, by any worker (the store keeps the applied fingerprint) —
   * re-check everyone. The first settings a database sees are recorded without a pass: its members
   * are all due already.
   */
  observe(settings: RoleSyncSettings, signal?: AbortSignal): Promise<void>;
}

/** The fingerprint of the settings a full pass depends on: the guild and the rules. */
export function settingsFingerprint(settings: RoleSyncSettings): string {
  return JSON.stringify([settings.guildId, settings.rules]);
}

/**
 * Creates the watch. `forget` drops what the reconciler learnt about the old settings;
 * `guildChanged` drops what it knew about the old guild (its size).
 */
export function createSettingsWatch(
  engine: Engine,
  hooks: { forget(): void; guildChanged(): void },
): SettingsWatch {
  let fingerprint: string | null = null;
  let lastGuildId: string | null = null;

  async function scheduleRecheck(settings: RoleSyncSettings, now: Date, signal?: AbortSignal) {
    // Everyone checked up to now (inclusive) was checked under the old settings.
    const checkedBefore = new Date(now.getTime() + 1);
    const marked = await engine.queue.scheduleFullPass({ now, checkedBefore }, { signal });
    await engine.log(
      {
        kind: "role.settings_changed",
        level: "info",
        message: `role settings changed; ${marked} member(s) will be re-checked`,
        data: { guildId: settings.guildId, marked },
      },
      signal,
    );
  }

  return {
    async observe(settings, signal) {
      const next = settingsFingerprint(settings);
      if (next === fingerprint) return;
      if (lastGuildId !== null && lastGuildId !== settings.guildId) hooks.guildChanged();
      lastGuildId = settings.guildId;
      engine.blocks.reset();
      hooks.forget();
      const applied = await engine.queue.appliedSettings({ signal });
      if (applied !== next) {
        const now = engine.clock.now();
        if (applied !== null) await scheduleRecheck(settings, now, signal);
        await engine.queue.saveAppliedSettings({ fingerprint: next, now }, { signal });
      }
      fingerprint = next;
    },
  };
}
