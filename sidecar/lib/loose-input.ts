// Pure: finds a known input field that arrived in a form the API does not take. Query strings and forms are text;
// ids and counts are written in decimal digits, without a sign, spaces, a fraction, an exponent or leading zeros
// (ajv's coercion alone reads "0x0a", "1e1", " 10", "00010" and "10.0" all as 10), and `type[]=Full` is not `type`.
const DECIMAL = /^(?:0|[1-9][0-9]*)$/;

/**
 * The field of a schema's `properties` that arrived in a form this API does not take: a loosely written number, or
 * `type[]=...`. Null when every field is in its own form.
 */
export function looseField(properties: Readonly<Record<string, unknown>>, input: unknown): string | null {
  if (!input || typeof input !== 'object' || Array.isArray(input)) return null;
  for (const key of Object.keys(input)) {
    // A query string keeps `type[]` or `type[0]` as its own name: a known field written as a list or a map.
    const base = key.replace(/\[.*$/, '');
    if (base !== key && Object.hasOwn(properties, base)) return base;
  }
  for (const [key, value] of Object.entries(input)) {
    if (!Object.hasOwn(properties, key) || typeof value !== 'string' || value === '') continue;
    const type = (properties[key] as { type?: unknown }).type;
    if (type === 'integer' && !DECIMAL.test(value)) return key;
  }
  return null;
}
