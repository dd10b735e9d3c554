// The cloudstorage module keeps S3 keys encrypted as base64(IV (16 bytes) || AES-256-CBC ciphertext, PKCS#7), with a
// module setting as the key, handed to PHP's openssl_* as a string: PHP uses its bytes, NUL-padded or cut to 32.
import { createDecipheriv } from 'node:crypto';

const IV_BYTES = 16;
const KEY_BYTES = 32;
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;
// S3 access keys and secrets are printable ASCII without spaces: anything else came out of a wrong key.
const KEY_TEXT = /^[\x21-\x7e]+$/;

/** The 32 key bytes PHP's openssl derives from a string key. */
export function phpOpensslKey(setting: string): Buffer {
  const key = Buffer.alloc(KEY_BYTES);
  Buffer.from(setting, 'utf8').copy(key, 0, 0, KEY_BYTES);
  return key;
}

/** The stored value in clear, or null when it does not decrypt with this setting (wrong key, damaged value). */
export function decryptModuleValue(stored: string, setting: string): string | null {
  const text = stored.trim();
  if (!setting || !BASE64.test(text)) return null;
  const raw = Buffer.from(text, 'base64');
  if (raw.length < IV_BYTES * 2 || raw.length % IV_BYTES !== 0) return null;
  let plain: string;
  try {
    const decipher = createDecipheriv('aes-256-cbc', phpOpensslKey(setting), raw.subarray(0, IV_BYTES));
    plain = Buffer.concat([decipher.update(raw.subarray(IV_BYTES)), decipher.final()]).toString('utf8');
  } catch {
    return null; // bad padding: the usual sign of a wrong key
  }
  // A wrong key passes the padding check about once in 256 tries; its output is then not key text.
  return KEY_TEXT.test(plain) ? plain : null;
}
