// Canonical strings + expected HMACs shared with the PHP bridge's tests (test/fixtures/signature-vectors.json).
// `node dist/test/helpers/signature-vectors.js > test/fixtures/signature-vectors.json` regenerates the file.
import { canonicalString, sha256Hex, sign } from '../../sidecar/lib/hmac.js';

export interface SignatureVector {
  description: string;
  secret: string;
  timestamp: string;
  nonce: string;
  method: string;
  path_and_query: string;
  client_id: string;
  admin_id: string;
  body: string;
  body_sha256: string;
  canonical: string;
  signature: string;
}

const SECRET = 'vector-secret-0123456789abcdef0123456789';

const INPUTS: Omit<SignatureVector, 'body_sha256' | 'canonical' | 'signature'>[] = [
  { description: 'GET with a query, client only, empty body', secret: SECRET, timestamp: '1767225600', nonce: 'AbCdEf0123456789_-xy', method: 'GET', path_and_query: '/api/hyperv/backup-points?vm_id=7&limit=20&offset=0', client_id: '42', admin_id: '', body: '' },
  { description: 'POST JSON body', secret: SECRET, timestamp: '1767225601', nonce: '0123456789abcdef0123456789abcdef', method: 'POST', path_and_query: '/api/hyperv/restores', client_id: '42', admin_id: '', body: '{"backup_point_id":12,"target_path":"C:\\\\Restored\\\\web01","disk_filter":["C:\\\\VMs\\\\web01\\\\disk0.vhdx"]}' },
  { description: 'POST form body, admin acting as the client', secret: SECRET, timestamp: '1767225602', nonce: 'nonce-with-dashes_and_underscores', method: 'POST', path_and_query: '/api/hyperv/restores', client_id: '42', admin_id: '3', body: 'backup_point_id=12&target_path=C%3A%5CRestored%5Cweb01&disk_filter=%5B%22C%3A%5C%5CVMs%5C%5Cweb01%5C%5Cdisk0.vhdx%22%5D' },
  { description: 'admin route, no client', secret: SECRET, timestamp: '1767225603', nonce: 'ZZZZZZZZZZZZZZZZ', method: 'GET', path_and_query: '/admin/restores?page=2', client_id: '', admin_id: '1', body: '' },
  { description: 'UTF-8 body and a uuid run path', secret: 'another-secret-with-more-than-32-characters!', timestamp: '1767225604', nonce: 'a1b2c3d4e5f6a7b8c9d0', method: 'POST', path_and_query: '/api/runs/0f8fad5b-d9cb-469f-a165-70867728950e/cancel', client_id: '7', admin_id: '', body: '{"reason":"Zurück – 日本"}' },
];

export function signatureVectors(): SignatureVector[] {
  return INPUTS.map((v) => {
    const r = { timestamp: v.timestamp, nonce: v.nonce, method: v.method, pathAndQuery: v.path_and_query, clientId: v.client_id, adminId: v.admin_id, body: v.body };
    return { ...v, body_sha256: sha256Hex(v.body), canonical: canonicalString(r), signature: sign(v.secret, r) };
  });
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split('/').pop()!)) {
  process.stdout.write(JSON.stringify(signatureVectors(), null, 2) + '\n');
}
