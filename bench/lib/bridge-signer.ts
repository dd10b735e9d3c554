// Signs a request as the WHMCS bridge does (sidecar/lib/hmac.ts): every request gets a fresh nonce and timestamp,
// because the sidecar accepts each nonce once.
import { randomBytes } from 'node:crypto';
import { sign } from '../../sidecar/lib/hmac.js';

export function bridgeHeaders(secret: string, method: string, pathAndQuery: string, clientId: number, body = ''): Record<string, string> {
  const timestamp = String(Math.floor(Date.now() / 1000));
  const nonce = randomBytes(16).toString('hex');
  const signature = sign(secret, { timestamp, nonce, method, pathAndQuery, clientId: String(clientId), adminId: '', body });
  return {
    'x-bridge-timestamp': timestamp, 'x-bridge-nonce': nonce, 'x-bridge-client-id': String(clientId), 'x-bridge-admin-id': '',
    'x-bridge-signature': signature,
  };
}
