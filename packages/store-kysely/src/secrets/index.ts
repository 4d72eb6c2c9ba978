import { type IoOptions, isSealedSecret, type SecretBox } from "@guildkit/core";
import type { Kysely } from "kysely";
import type { Dialect } from "../dialect";
import type { Database } from "../schema";
import { visitSecretCells } from "./cells";
import { SecretKeyRequiredError } from "./errors";

export { type CellVisitor, type SecretCell, visitSecretCells } from "./cells";
export { SecretKeyRequiredError } from "./errors";

/** What {@link SecretStore.rotate} did. */
export interface SecretRotationReport {
  /** Values sealed with an older key and now sealed with the current one. */
  resealed: number;
  /** Values found in plaintext and now sealed (none after migration `008-secrets`). */
  sealed: number;
  /** Values already sealed with the current key, left alone. */
  current: number;
  /** The key everything is sealed with now. */
  keyId: string;
}

/** The store's secrets: the box it seals with, and key rotation (`store.secrets`). */
export interface SecretStore {
  /** The box secret settings are sealed with (`null`: the store was built without a key). */
  readonly box: SecretBox | null;
  /**
   * Re-seals every stored secret with the box's current (first) key, in one transaction: the
   * secret fields of every `config_versions` row (history too) and the seed system's
   * `discord_config` secrets. Values already under the current key are left alone; a value no key
   * of the box opens fails the rotation with its `SecretBoxError` and nothing is changed. Afterwards
   * the old keys may be dropped from `GUILDKIT_SECRET_KEY`.
   *
   * @throws {@link SecretKeyRequiredError} when the store has no box.
   */
  rotate(opts?: IoOptions): Promise<SecretRotationReport>;
}

/** The {@link SecretStore} on one kysely instance (or transaction). */
export function createSecretStore(
  db: Kysely<Database>,
  dialect: Dialect,
  box: SecretBox | null,
): SecretStore {
  return {
    box,
    async rotate(opts = {}) {
      opts.signal?.throwIfAborted();
      if (box === null) {
        throw new SecretKeyRequiredError({
          migration: null,
          locations: [],
          what: "re-sealing the stored secrets needs the key",
        });
      }
      const report = { resealed: 0, sealed: 0, current: 0, keyId: box.currentKeyId };
      const run = (trx: Kysely<Database>) =>
        visitSecretCells(trx, dialect, async ({ context, value }) => {
          const io = { context, signal: opts.signal };
          if (!isSealedSecret(value)) {
            report.sealed += 1;
            return box.seal(value, io);
          }
          if (box.isCurrent(value)) {
            report.current += 1;
            return null;
          }
          report.resealed += 1;
          return box.seal(await box.open(value, io), io);
        });
      await (db.isTransaction ? run(db) : db.transaction().execute(run));
      return report;
    },
  };
}
