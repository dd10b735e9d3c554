// The seam between the restore engine (kopia, chunk map, parallel writer) and the agent's command runner.
// Terminology: a *disk* is one .vhdx file of a VM; a *point* is one backup (Full or Incremental); every point's
// snapshot of a disk is a complete copy of that disk's file (reference-system.md), so a restore reads one snapshot.
import type { AgentPlatform } from '../platform/platform.js';
import type { DiskRef } from './disk-source.js';

export type RepositoryConnection =
  | { type: 'filesystem'; path: string }
  | {
      type: 's3';
      endpoint: string; // host:port
      bucket: string;
      prefix?: string;
      accessKeyId: string;
      secretAccessKey: string;
      region?: string;
      disableTls?: boolean;
    };

export interface RepositoryOptions {
  kopiaPath: string;
  /** How disk files are written and checked on this host (default: the host's own, see agent/platform). */
  platform?: AgentPlatform;
  /** A private folder for this session's kopia config, cache and logs; created if missing. */
  workDir: string;
  repository: RepositoryConnection;
  password: string;
  signal?: AbortSignal;
  /** Skip the parallel path and always use `kopia snapshot restore` (tests, troubleshooting). */
  forceKopiaRestore?: boolean;
  /** The disks the session will be asked for: their snapshots are looked up while the repository opens. */
  disks?: readonly DiskRef[];
}

export interface DiskProgress {
  bytesDone: number;
  bytesTotal: number;
}

export interface RestoreNotice {
  code: string; // e.g. PARALLEL_UNAVAILABLE when falling back to `kopia snapshot restore`
  message: string;
}

export interface DiskRestoreRequest {
  manifestId: string;
  /** The file name the snapshot root must have (e.g. `disk0.vhdx`). */
  expectedFileName: string;
  /** Final path of the restored file (host path, already mapped). Written as `<targetFile>.partial` first. */
  targetFile: string;
  /** Most chunk reads in flight; the engine finds its level below it by measuring (read-concurrency.ts). */
  parallelism: number;
  /** false: always `parallelism` reads in flight (benchmark comparisons, troubleshooting). Default true. */
  adaptiveParallelism?: boolean;
  signal: AbortSignal;
  onProgress?(progress: DiskProgress): void;
  onNotice?(notice: RestoreNotice): void;
  /**
   * Called once the disk is complete in its .partial, just before it is moved into place: the last moment a cancel
   * can still keep a disk from appearing. It may abort `signal`; the engine then deletes the .partial.
   */
  beforeCommit?(): Promise<void>;
  /**
   * Called once this call has created the disk's .partial exclusively, before a byte is written: from then on the
   * file is this restore's own (a crash leaves it for the resumed run to delete). Never called for a .partial that
   * was already there. A rejection fails the disk; the engine then deletes the .partial.
   */
  onPartialCreated?(): Promise<void>;
}

export interface DiskRestoreResult {
  bytesTotal: number;
  bytesWritten: number;
  chunksFetched: number;
  chunksSkippedZero: number;
  method: 'parallel' | 'kopia-restore';
  /** parallel only: each limit of reads in flight the engine measured its way through, in order */
  readLimits?: number[];
}

/** A connected, read-only repository plus (lazily) its loopback `kopia server`. */
export interface RepositorySession {
  restoreDisk(request: DiskRestoreRequest): Promise<DiskRestoreResult>;
  /** Size of the disk's file in its snapshot, read from the snapshot's metadata (no disk data is fetched). */
  diskSize(manifestId: string, expectedFileName: string, signal: AbortSignal): Promise<number>;
  close(): Promise<void>;
}

/** Errors the engine throws carry one of these codes, so the runner can report a clear DISK_FAILED message. */
export type RestoreErrorCode =
  | 'SNAPSHOT_NOT_FOUND'
  | 'SNAPSHOT_NOT_A_DISK'
  | 'TARGET_EXISTS'
  | 'TARGET_UNAVAILABLE'
  | 'INSUFFICIENT_SPACE'
  // Windows: a disk file Hyper-V would refuse (docs/restore-engine.md), or one locked by another program.
  | 'TARGET_ENCRYPTED'
  | 'TARGET_COMPRESSED'
  | 'TARGET_SPARSE'
  | 'TARGET_ATTRIBUTES'
  | 'TARGET_LOCKED'
  | 'SIZE_MISMATCH'
  | 'KOPIA_FAILED'
  | 'REPOSITORY_UNAVAILABLE'
  | 'CANCELLED';

export class RestoreError extends Error {
  constructor(readonly code: RestoreErrorCode, message: string) {
    super(message);
    this.name = 'RestoreError';
  }
}
