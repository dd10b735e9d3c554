// One GET of a kopia object over a keep-alive loopback connection of our own. A restore moves every byte of the
// disk through here, so the kernel reads each body straight into the caller's chunk buffer (net's `onread` with a
// buffer chosen per read): no 64 KiB buffer per socket read for the collector, no copy into the chunk buffer, and
// no node:http parser, which together were a quarter of the engine's CPU (docs/performance.md).
import { connect, type Socket } from 'node:net';
import { RestoreError } from './types.js';

/** Worth another attempt: the server or its storage hiccuped, or a kept-alive connection was closed under us. */
export class RetryableError extends RestoreError {}

/** Header bytes are read into this; a kopia answer's headers are a few hundred bytes. */
const HEAD_BUFFER_BYTES = 16 * 1024;
/** An error answer's text beyond this is not kept (it is only quoted in the message). */
const ERROR_TEXT_BYTES = 4 * 1024;
/** A body without a caller's buffer (the chunk map, the zero probe) is allocated from its Content-Length: not more. */
const MAX_UNSIZED_BODY_BYTES = 512 * 1024 * 1024;
const IDLE_PER_ORIGIN = 64;

interface Exchange {
  objectId: string;
  into?: Buffer;
  resolve(body: Buffer): void;
  reject(error: Error): void;
}

interface Head {
  status: number;
  length: number | null;
  keepAlive: boolean;
}

const idle = new Map<string, Connection[]>();

export function getObject(url: string, auth: string, objectId: string, signal?: AbortSignal, into?: Buffer): Promise<Buffer> {
  const { host, port, pathname } = parseUrl(url);
  const origin = `${host}:${port}`;
  if (signal?.aborted) return Promise.reject(new RestoreError('CANCELLED', 'Restore cancelled'));
  return new Promise<Buffer>((resolve, reject) => {
    const pool = idle.get(origin) ?? [];
    const connection = pool.pop() ?? new Connection(host, port, origin);
    const onAbort = () => connection.destroy(new RestoreError('CANCELLED', 'Restore cancelled'));
    signal?.addEventListener('abort', onAbort, { once: true });
    const done = () => signal?.removeEventListener('abort', onAbort);
    connection.send(`GET ${pathname} HTTP/1.1\r\nHost: ${origin}\r\nAuthorization: ${auth}\r\n\r\n`, {
      objectId, into,
      resolve: (body) => { done(); resolve(body); },
      reject: (error) => { done(); reject(error); },
    });
  });
}

function parseUrl(url: string): { host: string; port: number; pathname: string } {
  const parsed = new URL(url);
  if (parsed.protocol !== 'http:') throw new RestoreError('KOPIA_FAILED', `Unsupported object URL ${parsed.protocol}`);
  return { host: parsed.hostname, port: Number(parsed.port || 80), pathname: parsed.pathname + parsed.search };
}

/** One socket, one exchange at a time: headers into a small buffer, then the body into the caller's buffer. */
class Connection {
  private readonly socket: Socket;
  private readonly headBuffer = Buffer.allocUnsafe(HEAD_BUFFER_BYTES);
  private exchange: Exchange | null = null;
  private headBytes = 0;
  private head: Head | null = null;
  private body: Buffer | null = null;
  private filled = 0;
  /** An error answer's text (its first ERROR_TEXT_BYTES) and how many of its bytes came. */
  private errorText: Buffer[] = [];
  private errorBytes = 0;
  /** whether the current read goes into the body's buffer (else into the header buffer, at headReadAt) */
  private readingBody = false;
  private headReadAt = 0;
  private closed = false;

  constructor(host: string, port: number, private readonly origin: string) {
    this.socket = connect({ host, port, noDelay: true, onread: { buffer: () => this.nextBuffer(), callback: (n) => this.onData(n) } });
    this.socket.on('error', (error) => this.destroy(retryable(this.exchange?.objectId ?? '', error)));
    this.socket.on('close', () => this.destroy(retryable(this.exchange?.objectId ?? '', new Error('connection closed by the server'))));
  }

  send(request: string, exchange: Exchange): void {
    if (this.closed) {
      exchange.reject(retryable(exchange.objectId, new Error('connection closed by the server')));
      return;
    }
    this.exchange = exchange;
    this.headBytes = 0;
    this.head = null;
    this.body = null;
    this.filled = 0;
    this.errorText = [];
    this.errorBytes = 0;
    this.socket.ref();
    this.socket.write(request);
  }

  destroy(error: Error): void {
    if (!this.closed) {
      this.closed = true;
      this.socket.destroy();
      const pool = idle.get(this.origin);
      if (pool?.includes(this)) pool.splice(pool.indexOf(this), 1);
    }
    const exchange = this.exchange;
    this.exchange = null;
    exchange?.reject(error);
  }

  /** Where the kernel writes the next read: the rest of the body's buffer while a body is due, else the header buffer. */
  private nextBuffer(): Buffer {
    this.readingBody = this.body !== null && this.filled < this.body.length;
    if (this.readingBody) return this.body!.subarray(this.filled);
    // Headers are appended; once they are read, the buffer takes an error answer's text (or stray bytes).
    this.headReadAt = this.head || this.headBytes >= this.headBuffer.length ? 0 : this.headBytes; // a full one is refused in readHead
    return this.headBuffer.subarray(this.headReadAt);
  }

  private onData(n: number): boolean {
    const exchange = this.exchange;
    if (!exchange) {
      this.destroy(new Error('unexpected data from the kopia server'));
      return false;
    }
    if (this.readingBody) {
      this.filled += n;
    } else if (this.head) {
      this.dropErrorBytes(this.headBuffer.subarray(0, n));
    } else {
      // The buffer was handed out before this exchange began (right after the last one ended): headers go first.
      if (this.headReadAt !== this.headBytes) this.headBuffer.copyWithin(this.headBytes, this.headReadAt, this.headReadAt + n);
      this.headBytes += n;
      this.readHead(exchange);
    }
    this.finishIfComplete(exchange);
    return true;
  }

  private readHead(exchange: Exchange): void {
    const end = this.headBuffer.subarray(0, this.headBytes).indexOf('\r\n\r\n');
    if (end === -1) {
      if (this.headBytes >= this.headBuffer.length) this.destroy(new RestoreError('KOPIA_FAILED', `Reading object ${exchange.objectId} failed: answer headers too long`));
      return;
    }
    const head = parseHead(this.headBuffer.toString('latin1', 0, end));
    if (!head) {
      this.destroy(new RestoreError('KOPIA_FAILED', `Reading object ${exchange.objectId} failed: not an HTTP answer`));
      return;
    }
    this.head = head;
    const rest = this.headBuffer.subarray(end + 4, this.headBytes);
    if (head.status !== 200) {
      this.dropErrorBytes(rest);
      // An error answer without a length would end only when the server closes: report it with what came.
      if (head.length === null) this.destroy(answerError(exchange.objectId, head.status, Buffer.concat(this.errorText)));
      return;
    }
    if (head.length === null) {
      this.destroy(new RestoreError('KOPIA_FAILED', `Reading object ${exchange.objectId} failed: the answer has no length`));
      return;
    }
    if (exchange.into && head.length !== exchange.into.length) {
      this.destroy(new RestoreError('SIZE_MISMATCH', `Object ${exchange.objectId} has ${head.length} bytes, the map says ${exchange.into.length}`));
      return;
    }
    if (head.length > MAX_UNSIZED_BODY_BYTES && !exchange.into) {
      this.destroy(new RestoreError('KOPIA_FAILED', `Object ${exchange.objectId} is too large to read whole (${head.length} bytes)`));
      return;
    }
    this.body = exchange.into ?? Buffer.allocUnsafe(head.length);
    if (rest.length > this.body.length) {
      this.destroy(new RestoreError('KOPIA_FAILED', `Reading object ${exchange.objectId} failed: more bytes than the answer's length`));
      return;
    }
    // The only copy: body bytes that came in the same read as the headers.
    rest.copy(this.body, 0);
    this.filled = rest.length;
  }

  private dropErrorBytes(bytes: Buffer): void {
    const kept = this.errorText.reduce((sum, b) => sum + b.length, 0);
    if (kept < ERROR_TEXT_BYTES) this.errorText.push(Buffer.from(bytes.subarray(0, ERROR_TEXT_BYTES - kept)));
    this.errorBytes += bytes.length;
  }

  private finishIfComplete(exchange: Exchange): void {
    const head = this.head;
    if (!head || this.exchange !== exchange) return;
    if (head.status === 200) {
      const body = this.body;
      if (!body || this.filled < body.length) return;
      this.release(head.keepAlive);
      exchange.resolve(body);
      return;
    }
    if (head.length === null || this.errorBytes < head.length) return;
    this.release(head.keepAlive);
    exchange.reject(answerError(exchange.objectId, head.status, Buffer.concat(this.errorText)));
  }

  /** Back to the pool for the next exchange, or closed when the server asked (or the pool is full). */
  private release(keepAlive: boolean): void {
    this.exchange = null;
    this.body = null;
    this.head = null;
    this.headBytes = 0;
    const pool = idle.get(this.origin) ?? [];
    if (!keepAlive || this.closed || pool.length >= IDLE_PER_ORIGIN) {
      this.closed = true;
      this.socket.destroy();
      return;
    }
    this.socket.unref(); // an idle connection never keeps the agent's process alive
    pool.push(this);
    idle.set(this.origin, pool);
  }
}

function parseHead(text: string): Head | null {
  const [statusLine, ...lines] = text.split('\r\n');
  const status = /^HTTP\/1\.[01] (\d{3})/.exec(statusLine ?? '');
  if (!status) return null;
  const headers = new Map<string, string>();
  for (const line of lines) {
    const colon = line.indexOf(':');
    if (colon > 0) headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
  }
  const lengthText = headers.get('content-length');
  const chunked = /chunked/i.test(headers.get('transfer-encoding') ?? '');
  const length = !chunked && lengthText !== undefined && /^\d+$/.test(lengthText) ? Number(lengthText) : null;
  const keepAlive = !/close/i.test(headers.get('connection') ?? '') && statusLine?.startsWith('HTTP/1.1') === true;
  return { status: Number(status[1]), length, keepAlive };
}

function answerError(objectId: string, status: number, body: Buffer): RestoreError {
  const text = body.toString('utf8').trim().slice(0, 200);
  const ErrorType = status >= 500 ? RetryableError : RestoreError;
  return new ErrorType('KOPIA_FAILED', `Reading object ${objectId} failed: HTTP ${status} ${text}`);
}

function retryable(objectId: string, error: Error): RetryableError {
  return new RetryableError('KOPIA_FAILED', `Reading object ${objectId} failed: ${error.message}`);
}
