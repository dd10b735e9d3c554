// fast-check arbitraries for hostile input: query strings, JSON and non-JSON bodies, path parameters. Everything is
// rendered to the exact bytes sent, so the bridge signature can be computed over them and the input reaches
// validation instead of stopping at a 401.
import fc from 'fast-check';

/** Strings attackers and broken clients send: injection, traversal, odd numbers, unicode, template syntax. */
export const NASTY_STRINGS = [
  '__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', "' OR '1'='1", '1; DROP TABLE s3_cloudbackup_runs; --',
  '1 UNION SELECT agent_token FROM s3_cloudbackup_agents', '../../etc/passwd', '..\\..\\Windows\\System32', '%2e%2e%2f', '\u0000', 'a\u0000b',
  '\r\nX-Injected: 1', '𝕏𝕐', '١٢٣', 'é', '\uFEFF1', '\uD800', 'NaN', 'Infinity', '-Infinity', '-1', '0', '00', '1.5', '1e3', '1e309', '-0',
  '9007199254740993', '18446744073709551616', '99999999999999999999999999', '0x10', ' 1', '1 ', '+1', 'true', 'false', 'null', 'undefined',
  '[]', '{}', '[1,2]', '{"a":1}', '<script>alert(1)</script>', '{{constructor.constructor}}', '${7*7}', 'C:\\Restored', '\\\\server\\share',
  'Full', 'Incremental', 'queued', 'running', 'success', 'a'.repeat(300), 'b'.repeat(5000),
  // Hidden characters inside otherwise valid values (fuzz-text-inputs.test.ts checks each class is refused).
  'C:\\Restore\\\uD800', 'C:\\Restored\\web\u202E10', 'C:\\Restored\\a\u200Bb', 'C:\\Restored\\\u2066x\u2069', 'C:\\Restored\\web\u00A001', '1\u200D',
];

/** Field names the routes read, plus prototype keys: inputs that reach deep into validation. */
export const FIELD_NAMES = [
  'vm_id', 'job_id', 'backup_point_id', 'target_path', 'disk_filter', 'limit', 'offset', 'type', 'after', 'status', 'client_id', 'vm',
  'page', 'run_id', 'events', 'bytes_total', 'bytes_done', 'progress_pct', 'speed_bytes_per_sec', 'eta_seconds', 'current_item', 'disks',
  'message', 'error', 'id', 'ts', 'level', 'message_id', 'params', 'disk_results', '__proto__', 'constructor', 'prototype',
];

/** encodeURIComponent that survives lone surrogates (sent as U+FFFD, as a browser would). */
export function encode(text: string): string {
  return encodeURIComponent(text.replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\uFFFD'))
    // The HTTP client escapes these itself, which would change the signed target.
    .replace(/[!'()*]/g, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase());
}

export const nastyString = fc.constantFrom(...NASTY_STRINGS);

/** A scalar as text, for query strings and path parameters. */
export function textValue(ids: readonly number[]): fc.Arbitrary<string> {
  return fc.oneof(
    nastyString,
    fc.string({ maxLength: 40 }),
    fc.string({ unit: 'grapheme', maxLength: 20 }),
    fc.integer().map(String),
    fc.double({ noNaN: false }).map(String),
    fc.bigInt({ min: -(2n ** 80n), max: 2n ** 80n }).map(String),
    fc.constantFrom(...ids.map(String)),
  );
}

/** Any JSON value, with nasty strings, deep nesting and prototype keys. */
export function jsonValue(ids: readonly number[]): fc.Arbitrary<unknown> {
  const { value } = fc.letrec((tie) => ({
    value: fc.oneof({ depthSize: 'small', withCrossShrink: true },
      nastyString, fc.string({ maxLength: 30 }), fc.integer(), fc.double(), fc.boolean(), fc.constant(null), fc.constantFrom(...ids),
      fc.constant(Number.MAX_SAFE_INTEGER + 2), fc.constant(-1e308),
      fc.array(tie('value'), { maxLength: 4 }),
      fc.dictionary(fc.oneof(fc.constantFrom(...FIELD_NAMES), fc.string({ maxLength: 10 })), tie('value'), { maxKeys: 4 })),
  }));
  return value;
}

export interface RawBody {
  text: string;
  contentType: string;
}

function deep(open: string, close: string, depth: number): string {
  return open.repeat(depth) + close.repeat(depth);
}

/** A request body: mostly JSON objects over the known field names, sometimes broken or of another content type. */
export function rawBody(ids: readonly number[]): fc.Arbitrary<RawBody | undefined> {
  const json = (v: unknown): RawBody => ({ text: JSON.stringify(v) ?? 'null', contentType: 'application/json' });
  const form = fc.array(fc.tuple(fc.oneof(fc.constantFrom(...FIELD_NAMES), fc.constantFrom('disk_filter[]', 'disk_filter[0]', 'a[b][c][d][e][f][g]',
    '__proto__[polluted]', 'constructor[prototype][polluted]', 'disk_filter[__proto__]')), textValue(ids)), { maxLength: 6 })
    .map((pairs) => ({ text: pairs.map(([k, v]) => `${encode(k).replace(/%5B/g, '[').replace(/%5D/g, ']')}=${encode(v)}`).join('&'), contentType: 'application/x-www-form-urlencoded' }));
  return fc.oneof(
    { weight: 5, arbitrary: fc.dictionary(fc.constantFrom(...FIELD_NAMES), jsonValue(ids), { maxKeys: 6 }).map(json) },
    { weight: 2, arbitrary: jsonValue(ids).map(json) },
    { weight: 2, arbitrary: form },
    { weight: 1, arbitrary: fc.constant(undefined) },
    { weight: 1, arbitrary: fc.constantFrom<RawBody>(
      { text: '{"backup_point_id":', contentType: 'application/json' },
      { text: '{"__proto__":{"polluted":1},"constructor":{"prototype":{"polluted":1}}}', contentType: 'application/json' },
      { text: deep('[', ']', 3000), contentType: 'application/json' },
      { text: deep('{"a":', '}', 2000).replace(/}$/, '1}'), contentType: 'application/json' },
      { text: '<?xml version="1.0"?><a>1</a>', contentType: 'application/xml' },
      { text: 'backup_point_id=1&target_path=C:\\x', contentType: 'text/plain' },
      { text: '\u0000\u0001\u0002', contentType: 'application/octet-stream' },
      { text: '{"a":1}', contentType: 'application/json; charset=utf-7' },
      { text: '{"a":1}', contentType: 'application/json; charset=latin1' },
      { text: '"just a string"', contentType: 'application/json' },
      { text: 'x'.repeat(70 * 1024), contentType: 'application/json' },
      { text: `a=${'x'.repeat(70 * 1024)}`, contentType: 'application/x-www-form-urlencoded' },
      { text: Array.from({ length: 400 }, (_, i) => `k${i}=1`).join('&'), contentType: 'application/x-www-form-urlencoded' },
    ) },
  );
}

/** `?k=v&...` with repeated keys (arrays), bracket keys and prototype keys; '' when there are no pairs. */
export function queryString(ids: readonly number[]): fc.Arbitrary<string> {
  const key = fc.oneof(fc.constantFrom(...FIELD_NAMES), fc.constantFrom('vm_id[]', 'limit[a]', '__proto__[x]', 'a[b][c]'), fc.string({ maxLength: 8 }));
  return fc.array(fc.tuple(key, textValue(ids)), { maxLength: 5 }).map((pairs) =>
    pairs.length === 0 ? '' : '?' + pairs.map(([k, v]) => `${encode(k)}=${encode(v)}`).join('&'));
}

/** A path segment as sent on the wire: percent-encoded text, or raw encodings a client might try. */
export function pathParam(ids: readonly number[]): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 6, arbitrary: textValue(ids).filter((s) => s !== '').map(encode) },
    { weight: 1, arbitrary: fc.constantFrom('%', '%E0%A4%A', '%00', '..%2F..%2Fetc%2Fpasswd', '%2e%2e', '%C0%AE%C0%AE', '1%20', '1.0', '-5', '1e2', 'ffffffff-ffff-ffff-ffff-ffffffffffff') },
  );
}
