// Flushes a file that is being written to disk in the background, once every `everyBytes` written and one flush at
// a time. Without it a restore leaves all its data dirty in the page cache (Linux starts writing back only at 10 %
// of RAM), and the fsync before the disk is moved into place then waits for all of it at once (about 1 s per
// 1.6 GB here), while the network phase that could have hidden that time is over.
import type { FileHandle } from 'node:fs/promises';

export const WRITE_BEHIND_BYTES = 64 * 1024 * 1024;

export class WriteBehind {
  private unflushed = 0;
  private flushing: Promise<void> | null = null;
  private failure: unknown = null;

  constructor(private readonly file: Pick<FileHandle, 'datasync'>, private readonly everyBytes = WRITE_BEHIND_BYTES) {}

  /** Counts bytes just written; starts a flush when enough have piled up and none is running. */
  wrote(bytes: number): void {
    this.unflushed += bytes;
    if (this.unflushed < this.everyBytes || this.flushing) return;
    this.unflushed = 0;
    this.flushing = this.file.datasync()
      .catch((error: unknown) => { this.failure ??= error; })
      .finally(() => { this.flushing = null; });
  }

  /** Waits for the running flush; a flush that failed fails the restore here (the disk may not be on disk). */
  async settle(): Promise<void> {
    await this.flushing;
    if (this.failure !== null) throw this.failure;
  }
}
