// One GET of a kopia object over loopback HTTP. node:http rather than fetch: its body arrives as plain Buffers
// copied straight into the caller's buffer, which keeps the restore's memory flat (fetch's web streams left
// ~50 MB more garbage per restore in measurements).
import { Agent, request } from 'node:http';
import { RestoreError } from './types.js';

/** Worth another attempt: the server or its storage hiccuped. */
export class RetryableError extends RestoreError {}

const agent = new Agent({ keepAlive: true, maxSockets: 64 });

export function getObject(url: string, auth: string, objectId: string, signal?: AbortSignal, into?: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const req = request(url, { agent, headers: { authorization: auth }, signal }, (res) => {
      const pieces: Buffer[] = [];
      let filled = 0;
      res.on('data', (piece: Buffer) => {
        if (into && res.statusCode === 200) {
          if (filled + piece.length > into.length) {
            res.destroy(new RestoreError('SIZE_MISMATCH', `Object ${objectId} is larger than the ${into.length} bytes the map says`));
            return;
          }
          piece.copy(into, filled);
        } else {
          pieces.push(piece);
        }
        filled += piece.length;
      });
      res.on('error', (error) => reject(error instanceof RestoreError ? error : retryable(objectId, error)));
      res.on('end', () => {
        if (res.statusCode !== 200) {
          const text = Buffer.concat(pieces).toString('utf8').trim().slice(0, 200);
          const ErrorType = (res.statusCode ?? 500) >= 500 ? RetryableError : RestoreError;
          reject(new ErrorType('KOPIA_FAILED', `Reading object ${objectId} failed: HTTP ${res.statusCode} ${text}`));
        } else if (into && filled !== into.length) {
          reject(new RestoreError('SIZE_MISMATCH', `Object ${objectId} has ${filled} bytes, the map says ${into.length}`));
        } else {
          resolve(into ?? Buffer.concat(pieces));
        }
      });
    });
    req.on('error', (error) => reject(retryable(objectId, error)));
    req.end();
  });
}

function retryable(objectId: string, error: Error): RetryableError {
  return new RetryableError('KOPIA_FAILED', `Reading object ${objectId} failed: ${error.message}`);
}
