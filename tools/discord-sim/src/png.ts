import { createHash } from "node:crypto";
import { crc32, deflateSync } from "node:zlib";

/** PNG signature bytes. */
export const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

function chunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, "ascii"), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body) >>> 0);
  return Buffer.concat([length, body, crc]);
}

/**
 * A valid RGB PNG of `size`×`size` pixels drawn deterministically from `seed`: a symmetric 8×8
 * identicon in a colour taken from the seed's digest. Same seed and size, same bytes.
 */
export function renderAvatarPng(seed: string, size: number): Buffer {
  const digest = createHash("sha256").update(seed).digest();
  const fg = [digest[0] ?? 0, digest[1] ?? 0, digest[2] ?? 0];
  const bg = [240, 240, 240];
  const cells = 8;
  const on: boolean[] = [];
  for (let y = 0; y < cells; y++) {
    for (let x = 0; x < cells; x++) {
      const mx = x < cells / 2 ? x : cells - 1 - x;
      const bit = y * (cells / 2) + mx;
      on.push((((digest[3 + (bit >> 3)] ?? 0) >> (bit & 7)) & 1) === 1);
    }
  }
  const rowBytes = size * 3 + 1;
  const raw = Buffer.alloc(rowBytes * size);
  for (let y = 0; y < size; y++) {
    const cy = Math.min(cells - 1, Math.floor((y * cells) / size));
    const row = y * rowBytes;
    raw[row] = 0;
    for (let x = 0; x < size; x++) {
      const cx = Math.min(cells - 1, Math.floor((x * cells) / size));
      const colour = on[cy * cells + cx] ? fg : bg;
      const at = row + 1 + x * 3;
      raw[at] = colour[0] ?? 0;
      raw[at + 1] = colour[1] ?? 0;
      raw[at + 2] = colour[2] ?? 0;
    }
  }
  const header = Buffer.alloc(13);
  header.writeUInt32BE(size, 0);
  header.writeUInt32BE(size, 4);
  header[8] = 8; // bit depth
  header[9] = 2; // colour type: RGB
  header[10] = 0;
  header[11] = 0;
  header[12] = 0;
  return Buffer.concat([
    PNG_SIGNATURE,
    chunk("IHDR", header),
    chunk("IDAT", deflateSync(raw)),
    chunk("IEND", Buffer.alloc(0)),
  ]);
}
