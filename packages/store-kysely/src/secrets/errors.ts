const GENERATE = `node -e "console.log(require('node:crypto').randomBytes(32).toString('base64url'))"`;

/**
 * Secrets have to be sealed or re-sealed and the store has no key: the database holds plaintext
 * secrets (`migrate()`, migration `008-secrets`), or `secrets.rotate()` was called on a store built
 * without a `secretBox`. Nothing was changed. `locations` names where (table and field), never a
 * value.
 */
export class SecretKeyRequiredError extends Error {
  override readonly name = "SecretKeyRequiredError";
  readonly code = "secret_key_required";
  /** The migration that needed the key, `null` outside migrations. */
  readonly migration: string | null;
  /** Where secrets wait for the key, e.g. `config_versions discord v2 bot_token`. */
  readonly locations: readonly string[];

  constructor(fields: { migration: string | null; locations: readonly string[]; what?: string }) {
    const where =
      fields.locations.length > 0
        ? ` (${fields.locations.slice(0, 6).join("; ")}${fields.locations.length > 6 ? "; …" : ""})`
        : "";
    super(
      `${fields.what ?? "the database holds secrets in plaintext"}${where} and no secret key is configured: ` +
        `set GUILDKIT_SECRET_KEY to 32 random bytes (base64 or hex; generate one with ${GENERATE}) and start again` +
        (fields.migration ? `, so that migration ${fields.migration} can encrypt them` : ""),
    );
    this.migration = fields.migration;
    this.locations = fields.locations;
  }
}
