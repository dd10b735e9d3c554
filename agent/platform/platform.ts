// What differs between the agent on Linux (tests, benchmarks) and on a Windows Hyper-V host, in one place the
// restore engine and the agent's entry point call. posix.ts keeps restored disks sparse; win32.ts never makes a disk
// Hyper-V refuses (sparse, compressed, encrypted; docs/restore-engine.md "On Windows"). Both are unit-tested on
// Linux by passing the platform in.

/** What the target folder makes of a new file, learnt before anything is fetched. */
export interface FolderFacts {
  /** False when the attributes could not be read (then nothing below is known and nothing is changed). */
  checked: boolean;
  /** New files are created compressed (the folder has the Compressed attribute). */
  compressed: boolean;
  /** New files get ReFS integrity streams. */
  integrity: boolean;
  /** Why the attributes could not be read, when `checked` is false. */
  reason?: string;
}

export interface AgentPlatform {
  readonly name: 'posix' | 'win32';
  /** Signals that ask the agent to stop (WinSW stops a service with Ctrl+C, which Node raises as SIGINT). */
  readonly stopSignals: readonly NodeJS.Signals[];
  /**
   * 'sparse': chunks written as they arrive, zero chunks and zero blocks skipped (holes, no space used).
   * 'ascending': every byte written in file order, zero chunks from one shared zero buffer (NTFS zero-fills any
   * gap past the valid-data length inside the next write, so a skipped range is no saving there, only a stall).
   */
  readonly writeOrder: 'sparse' | 'ascending';
  /** Extra flags for the fallback `kopia snapshot restore`. */
  readonly kopiaRestoreFlags: readonly string[];
  /** Bytes the target volume must have free for a disk of `size` bytes, `zeroBytes` of it in known-zero chunks. */
  spaceNeeded(size: number, zeroBytes: number): number;
  /** Before any fetch: refuses a folder whose new files Hyper-V would refuse (TARGET_ENCRYPTED). */
  inspectTargetFolder(folder: string): Promise<FolderFacts>;
  /** On the just-created, still empty `.partial`: undoes what the folder made of it, and checks that it took. */
  prepareEmptyFile(path: string, folder: FolderFacts): Promise<void>;
  /** The last check before the disk is moved into place: refuses a file Hyper-V would refuse. */
  checkBeforeMove(path: string, folder: FolderFacts): Promise<void>;
  /** Runs a link, rename or unlink, retrying while another program (antivirus) briefly holds the file. */
  retryWhileLocked<T>(what: string, op: () => Promise<T>): Promise<T>;
}

export type PlatformName = AgentPlatform['name'];

export const platformNameOf = (nodePlatform: NodeJS.Platform): PlatformName => (nodePlatform === 'win32' ? 'win32' : 'posix');
