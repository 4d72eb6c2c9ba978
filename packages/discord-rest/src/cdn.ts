/** Image formats the CDN serves for avatars. */
export type AvatarFormat = "png" | "jpg" | "webp" | "gif";

/** Input of {@link buildAvatarPath}. */
export interface AvatarRequest {
  userId: string;
  /** Avatar hash (user avatar, or the guild member avatar when `guildId` is given); null → default avatar. */
  hash: string | null;
  /** When given, `hash` is a guild member avatar of this guild. */
  guildId?: string | null;
  /** A power of two from 16 to 4096. */
  size?: number;
  /** Image format for a static hash (default png). `a_` hashes are always gif. */
  format?: Exclude<AvatarFormat, "gif">;
}

/** The CDN path (relative to the CDN base) and its route template. */
export interface AvatarPath {
  path: string;
  template: string;
}

/** True when `size` is a power of two from 16 to 4096. */
export function isValidImageSize(size: number): boolean {
  return Number.isInteger(size) && size >= 16 && size <= 4096 && (size & (size - 1)) === 0;
}

/** Default avatar index for users on the new username system: `(id >> 22) % 6`. */
export function defaultAvatarIndex(userId: string): number {
  try {
    return Number((BigInt(userId) >> 22n) % 6n);
  } catch {
    return 0;
  }
}

/**
 * Builds a CDN avatar path: `guilds/{g}/users/{u}/avatars/{hash}.{ext}` for a guild member avatar,
 * `avatars/{u}/{hash}.{ext}` for a user avatar, `embed/avatars/{i}.png` when there is no hash.
 * Hashes starting with `a_` are animated and served as gif.
 *
 * @see https://discord.com/developers/docs/reference#image-formatting
 */
export function buildAvatarPath(request: AvatarRequest): AvatarPath {
  const { userId, hash, guildId } = request;
  if (request.size !== undefined && !isValidImageSize(request.size)) {
    throw new RangeError(`avatar size must be a power of two from 16 to 4096, got ${request.size}`);
  }
  const query = request.size !== undefined && hash !== null ? `?size=${request.size}` : "";
  const e = encodeURIComponent;
  if (hash === null) {
    return {
      path: `/embed/avatars/${defaultAvatarIndex(userId)}.png`,
      template: "/embed/avatars/:index.png",
    };
  }
  const ext = hash.startsWith("a_") ? "gif" : (request.format ?? "png");
  if (guildId) {
    return {
      path: `/guilds/${e(guildId)}/users/${e(userId)}/avatars/${e(hash)}.${ext}${query}`,
      template: `/guilds/:guild/users/:user/avatars/:hash.${ext}`,
    };
  }
  return {
    path: `/avatars/${e(userId)}/${e(hash)}.${ext}${query}`,
    template: `/avatars/:user/:hash.${ext}`,
  };
}
