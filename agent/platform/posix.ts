// Linux and other POSIX hosts: unwritten ranges of a file are holes by themselves, so a restored disk stays sparse
// and its zero chunks need no space. No file attributes to look after.
import type { AgentPlatform, FolderFacts } from './platform.js';

const NOTHING_TO_DO: FolderFacts = { checked: true, compressed: false, integrity: false };

/** `writeOrder: 'ascending'` forces the Windows write order here (bench:restore --order ascending). */
export function createPosixPlatform(overrides: Partial<Pick<AgentPlatform, 'writeOrder'>> = {}): AgentPlatform {
  const writeOrder = overrides.writeOrder ?? 'sparse';
  return {
    name: 'posix',
    stopSignals: ['SIGTERM', 'SIGINT', 'SIGHUP'],
    writeOrder,
    kopiaRestoreFlags: ['--write-sparse-files'],
    spaceNeeded: (size, zeroBytes) => (writeOrder === 'sparse' ? size - zeroBytes : size),
    inspectTargetFolder: async () => NOTHING_TO_DO,
    prepareEmptyFile: async () => undefined,
    checkBeforeMove: async () => undefined,
    // EPERM from link() here means the file system has no hard links, not a lock: no waiting.
    retryWhileLocked: (_what, op) => op(),
  };
}
