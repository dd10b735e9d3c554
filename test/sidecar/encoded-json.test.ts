import assert from 'node:assert/strict';
import { gunzipSync } from 'node:zlib';
import { encodeJson } from '../../sidecar/http/encoded-json.js';

describe('encoded JSON (a cached answer kept plain and gzipped)', () => {
  it('Can encode any text as the same UTF-8 JSON bytes, and gzip a large answer to the same bytes', async () => {
    const value = { vm_name: 'Büro-Server ☃ 🚀', paths: Array.from({ length: 200 }, (_, i) => `C:\\VMs\\Bürö\\disk${i}.vhdx`) };
    const encoded = await encodeJson(value);
    assert.deepEqual(encoded.plain, Buffer.from(JSON.stringify(value), 'utf8'));
    assert.ok(encoded.gzipped);
    assert.deepEqual(gunzipSync(encoded.gzipped), encoded.plain);
    assert.ok(encoded.gzipped.length < encoded.plain.length / 5, `compressed ${encoded.plain.length} -> ${encoded.gzipped.length}`);
  });

  it('Can leave a small answer uncompressed', async () => {
    const encoded = await encodeJson({ status: 'success', total: 0 });
    assert.equal(encoded.gzipped, null);
    assert.equal(encoded.plain.toString('utf8'), '{"status":"success","total":0}');
  });
});
