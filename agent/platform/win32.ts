// Windows Hyper-V hosts. Hyper-V refuses a disk file that is sparse, NTFS-compressed or EFS-encrypted (0xC03A001A),
// and an unflagged NTFS file allocates every byte, so: never set the sparse flag, count the full size as needed,
// write in ascending order, refuse an encrypted folder up front, clear inherited compression and ReFS integrity
// streams while the file is still empty, and check the attributes once more before the move. Node cannot read
// Windows file attributes, so PowerShell (present on every supported Windows Server) reads them; the commands go
// through `run`, which tests replace to record them.
import { win32 as windowsPath } from 'node:path';
import { execa } from 'execa';
import { RestoreError } from '../engine/types.js';
import type { AgentPlatform, FolderFacts } from './platform.js';

export interface CommandResult {
  /** False when the program could not be started at all (missing, blocked). */
  started: boolean;
  exitCode: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a Windows program; `env` is added to the agent's environment (paths travel there, never inside a script). */
export type RunCommand = (file: string, args: string[], env: Record<string, string>) => Promise<CommandResult>;

export interface Win32Options {
  run?: RunCommand;
  /** Called for every command before it runs, with what it is for (the agent logs them). */
  onCommand?(file: string, purpose: string, path: string): void;
  sleep?(ms: number): Promise<void>;
  systemRoot?: string;
}

// FILE_ATTRIBUTE_* (winnt.h).
export const ATTRIBUTE = { SPARSE: 0x200, COMPRESSED: 0x800, ENCRYPTED: 0x4000, INTEGRITY_STREAM: 0x8000 } as const;

// The path comes in through the environment, so no quoting of it into the script is ever needed.
const READ_ATTRIBUTES = [
  "$ErrorActionPreference = 'Stop'",
  '$item = Get-Item -LiteralPath $env:HVR_PATH -Force',
  "$fs = ''",
  'try { $fs = [string](Get-Volume -FilePath $item.FullName -ErrorAction Stop).FileSystemType } catch { }',
  "Write-Output ('hvr-attributes {0} {1}' -f [int]$item.Attributes, $fs)",
].join('; ');
const INTEGRITY_OFF = "$ErrorActionPreference = 'Stop'; Set-FileIntegrity -FileName $env:HVR_PATH -Enable $False";
const POWERSHELL_FLAGS = ['-NoLogo', '-NoProfile', '-NonInteractive', '-ExecutionPolicy', 'Bypass', '-Command'];
// Antivirus scans of a new *.vhdx.partial are short; about 3 s of retries, then a clear error (libuv itself retries
// a rename for 1 s).
const LOCK_RETRY_MS = [100, 200, 400, 800, 1500];
const LOCK_CODES = new Set(['EPERM', 'EBUSY', 'EACCES']);

interface Attributes {
  value: number;
  fileSystem: string;
}

const defaultRun: RunCommand = async (file, args, env) => {
  const result = await execa(file, args, { env, reject: false, windowsHide: true, timeout: 120_000, stdin: 'ignore' });
  const started = !(result.failed && result.exitCode === undefined && !result.timedOut);
  return { started, exitCode: result.exitCode ?? null, stdout: String(result.stdout ?? ''), stderr: String(result.stderr ?? '') };
};

const lastLine = (text: string) => text.trim().split(/\r?\n/).pop()?.trim() || 'no output';

export function createWin32Platform(options: Win32Options = {}): AgentPlatform {
  const run = options.run ?? defaultRun;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const systemRoot = options.systemRoot ?? process.env.SystemRoot ?? 'C:\\Windows';
  const powershell = windowsPath.join(systemRoot, 'System32', 'WindowsPowerShell', 'v1.0', 'powershell.exe');
  const compact = windowsPath.join(systemRoot, 'System32', 'compact.exe');

  const command = async (file: string, purpose: string, args: string[], path: string): Promise<CommandResult> => {
    options.onCommand?.(file, purpose, path);
    return run(file, args, { HVR_PATH: path });
  };

  /** The attributes and file system of `path`, or why they could not be read. */
  const readAttributes = async (path: string): Promise<Attributes | string> => {
    const result = await command(powershell, 'read attributes', [...POWERSHELL_FLAGS, READ_ATTRIBUTES], path);
    if (!result.started) return 'PowerShell could not be started';
    const match = /hvr-attributes (\d+) ?(\S*)/.exec(result.stdout);
    if (result.exitCode !== 0 || !match) return `PowerShell gave no attributes (${lastLine(result.stderr || result.stdout)})`;
    return { value: Number(match[1]), fileSystem: match[2] ?? '' };
  };

  /** Every reason Hyper-V would refuse a file with these attributes, as a RestoreError, or null. */
  const refusal = (path: string, attributes: number, when: string): RestoreError | null => {
    if (attributes & ATTRIBUTE.ENCRYPTED) return new RestoreError('TARGET_ENCRYPTED', `${path} is EFS-encrypted ${when}: Hyper-V does not attach encrypted disk files`);
    if (attributes & ATTRIBUTE.COMPRESSED) return new RestoreError('TARGET_COMPRESSED', `${path} is NTFS-compressed ${when}: Hyper-V does not attach compressed disk files`);
    if (attributes & ATTRIBUTE.SPARSE) return new RestoreError('TARGET_SPARSE', `${path} is a sparse file ${when}: Hyper-V does not attach sparse disk files`);
    return null;
  };

  const verified = async (path: string, when: string): Promise<void> => {
    const attributes = await readAttributes(path);
    if (typeof attributes === 'string') {
      throw new RestoreError('TARGET_ATTRIBUTES', `Cannot check that ${path} is a disk file Hyper-V attaches: ${attributes}`);
    }
    const refused = refusal(path, attributes.value, when);
    if (refused) throw refused;
  };

  return {
    name: 'win32',
    // SIGTERM is never raised on Windows; kept so a stop sent by a POSIX-style tool still works.
    stopSignals: ['SIGINT', 'SIGBREAK', 'SIGHUP', 'SIGTERM'],
    writeOrder: 'ascending',
    // kopia 0.22.3 ignores --write-sparse-files on Windows (it copies in order): not passed.
    kopiaRestoreFlags: [],
    spaceNeeded: (size) => size,

    inspectTargetFolder: async (folder) => {
      const attributes = await readAttributes(folder);
      if (typeof attributes === 'string') return { checked: false, compressed: false, integrity: false, reason: attributes };
      if (attributes.value & ATTRIBUTE.ENCRYPTED) {
        throw new RestoreError('TARGET_ENCRYPTED', `The target folder ${folder} is EFS-encrypted, so the restored disk would be too, and Hyper-V does not attach encrypted disk files: choose another folder or decrypt this one (cipher /d)`);
      }
      const integrity = attributes.fileSystem.toLowerCase() === 'refs' || Boolean(attributes.value & ATTRIBUTE.INTEGRITY_STREAM);
      return { checked: true, compressed: Boolean(attributes.value & ATTRIBUTE.COMPRESSED), integrity };
    },

    prepareEmptyFile: async (path, folder: FolderFacts) => {
      if (!folder.checked) return;
      if (folder.compressed) {
        const result = await command(compact, 'clear compression', ['/U', path], path);
        if (!result.started || result.exitCode !== 0) {
          throw new RestoreError('TARGET_COMPRESSED', `The target folder compresses new files and compression could not be switched off for ${path} (${lastLine(result.stderr || result.stdout)}): Hyper-V does not attach compressed disk files`);
        }
      }
      // Hyper-V switches integrity streams off for its own disks; possible only while the file is empty. A disk
      // that keeps them still attaches (only slower), so a failure here is not fatal.
      if (folder.integrity) await command(powershell, 'integrity streams off', [...POWERSHELL_FLAGS, INTEGRITY_OFF], path);
      await verified(path, 'after it was created in the target folder');
    },

    checkBeforeMove: async (path, folder) => {
      if (!folder.checked) return;
      await verified(path, 'after the restore');
    },

    retryWhileLocked: async (what, op) => {
      for (let attempt = 0; ; attempt++) {
        try {
          return await op();
        } catch (error) {
          const code = (error as NodeJS.ErrnoException).code ?? '';
          if (!LOCK_CODES.has(code)) throw error;
          const delay = LOCK_RETRY_MS[attempt];
          if (delay === undefined) {
            throw new RestoreError('TARGET_LOCKED', `Cannot ${what}: another program keeps the file open (${code}), often an antivirus scan of *.vhdx.partial files; exclude the restore folder from scanning or try again`);
          }
          await sleep(delay);
        }
      }
    },
  };
}
