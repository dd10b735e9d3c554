// Pure: characters no text input of ours may carry. A lone UTF-16 surrogate is not text at all (MariaDB's JSON
// check refuses it, so it would fail deep in a write); control, bidi-override, zero-width and other invisible
// characters let one folder or name look like another on the pages. The client, admin and agent APIs use it.

// Cc: C0, DEL, C1. Cf: soft hyphen, bidi marks and overrides (U+202A-202E, U+2066-2069), zero-width characters,
// the BOM, tags. Zl/Zp: line and paragraph separators. Zs other than the plain space looks like a space but is not.
// Then letters that render as nothing: Hangul fillers, the braille blank.
const INVISIBLE = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000\u115f\u1160\u2800\u3164\uffa0]/u;
// Marks that render as nothing: the combining grapheme joiner, Khmer invisible vowels, Mongolian and Unicode variation
// selectors. Compared by code point (a regex class of combining marks reads as something else).
const INVISIBLE_MARKS: readonly (readonly [number, number])[] = [[0x034f, 0x034f], [0x17b4, 0x17b5], [0x180b, 0x180f], [0xfe00, 0xfe0f], [0xe0100, 0xe01ef]];
const LONE_SURROGATE = /\p{Cs}/u;

function invisibleMark(text: string): string | null {
  for (const c of text) {
    const code = c.codePointAt(0)!;
    if (INVISIBLE_MARKS.some(([from, to]) => code >= from && code <= to)) return c;
  }
  return null;
}

const codePoint = (c: string) => `U+${c.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;

/** Why `text` cannot be taken as the value of `field`, or null when it is clean. */
export function unsafeTextProblem(field: string, text: string): string | null {
  const lone = LONE_SURROGATE.exec(text);
  if (lone) return `${field} contains a broken character (a lone UTF-16 surrogate, ${codePoint(lone[0])})`;
  const hidden = INVISIBLE.exec(text)?.[0] ?? invisibleMark(text);
  if (hidden) return `${field} contains an invisible or control character (${codePoint(hidden)})`;
  return null;
}

/** The first string found in `value` (itself, the items of an array) that is not clean, as a message naming `field`. */
export function unsafeValueProblem(field: string, value: unknown): string | null {
  if (typeof value === 'string') return unsafeTextProblem(field, value);
  if (!Array.isArray(value)) return null;
  for (const item of value) {
    const problem = unsafeValueProblem(field, item);
    if (problem) return problem;
  }
  return null;
}

/** A lone surrogate anywhere in a JSON document (any depth, keys too), as a message naming where; else null. */
export function loneSurrogateProblem(value: unknown, at = 'body'): string | null {
  if (typeof value === 'string') {
    const lone = LONE_SURROGATE.exec(value);
    return lone ? `${at} contains a broken character (a lone UTF-16 surrogate, ${codePoint(lone[0])})` : null;
  }
  if (!value || typeof value !== 'object') return null;
  for (const [key, item] of Object.entries(value)) {
    const where = Array.isArray(value) ? `${at}[${key}]` : `${at}.${key}`;
    const problem = LONE_SURROGATE.test(key) ? `${at} has a key with a broken character` : loneSurrogateProblem(item, where);
    if (problem) return problem;
  }
  return null;
}
