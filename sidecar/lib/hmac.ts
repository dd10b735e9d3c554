// The bridge's request signature (contract: "Bridge -> sidecar authentication"). Shared by the sidecar and the tests.
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

export interface SignedRequest {
  timestamp: string;
  nonce: string;
  method: string;
  pathAndQuery: string;
  clientId: string;
  adminId: string;
  body: Buffer | string;
}

export function sha256Hex(data: Buffer | string): string {
  return createHash('sha256').update(data).digest('hex');
}

export function canonicalString(r: SignedRequest): string {
  return [r.timestamp, r.nonce, r.method.toUpperCase(), r.pathAndQuery, r.clientId, r.adminId, sha256Hex(r.body)].join('\n');
}

export function sign(secret: string, r: SignedRequest): string {
  return createHmac('sha256', secret).update(canonicalString(r)).digest('hex');
}

/** Constant-time comparison of two hex strings (or any two strings). */
export function safeEqual(a: string, b: string): boolean {
  const ab = Buffer.from(a, 'utf8');
  const bb = Buffer.from(b, 'utf8');
  if (ab.length !== bb.length) {
    timingSafeEqual(ab, ab);
    return false;
  }
  return timingSafeEqual(ab, bb);
}
