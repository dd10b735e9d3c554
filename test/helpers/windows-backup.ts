// The backup side as it is on a Hyper-V host: kopia.exe under Wine writes a filesystem repository, snapshotting
// disks by their real Windows paths (C:\...) as user agent on host hyperv01, the way the reference agent records
// them. Used by the Windows tests.
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { FileSnapshotter } from '../../sidecar/demo/vhdx-vm.js';
import { SNAPSHOT_HOST, TEST_PASSWORD, type TestRepository } from './kopia.js';
import { runWindowsProgram, windowsPath, windowsTools } from './wine.js';

export interface WindowsBackupRepository extends TestRepository, FileSnapshotter {}

/** A new repository in `repoDir` (Linux path, seen as Z:\... by kopia.exe); kopia's own files in `workDir`. */
export async function createWindowsBackupRepository(repoDir: string, workDir: string): Promise<WindowsBackupRepository> {
  const tools = windowsTools();
  await mkdir(workDir, { recursive: true });
  const config = windowsPath(join(workDir, 'backup.config'));
  const kopia = async (args: string[]): Promise<string> => {
    const result = await runWindowsProgram(tools.kopiaExe, [...args, `--config-file=${config}`, `--log-dir=${windowsPath(join(workDir, 'logs'))}`], {
      outputDir: workDir, name: 'kopia-backup', env: { KOPIA_PASSWORD: TEST_PASSWORD, KOPIA_CHECK_FOR_UPDATES: 'false' }, timeoutMs: 180_000,
    });
    if (result.code !== 0) throw new Error(`kopia.exe ${args.slice(0, 3).join(' ')} failed (${result.code}): ${result.stderr.slice(-2000)}`);
    return result.stdout;
  };
  const repoPath = windowsPath(repoDir);
  await kopia(['repository', 'create', 'filesystem', `--path=${repoPath}`, `--cache-directory=${windowsPath(join(workDir, 'cache'))}`,
    '--no-persist-credentials', `--override-hostname=${SNAPSHOT_HOST}`, '--override-username=agent']);
  return {
    dir: workDir,
    spec: { type: 'filesystem', path: repoPath },
    password: TEST_PASSWORD,
    kopia,
    snapshotFile: async (file, sourcePath) => {
      // The snapshot's source is the file's own Windows path: no override, as on a real host.
      if (windowsPath(file).toLowerCase() !== sourcePath.toLowerCase()) throw new Error(`${file} is not ${sourcePath} inside the Wine prefix`);
      const out = await kopia(['snapshot', 'create', '--json', sourcePath]);
      return (JSON.parse(out.trim().split('\n').pop() as string) as { id: string }).id;
    },
    cleanup: async () => {
      await rm(workDir, { recursive: true, force: true });
      await rm(repoDir, { recursive: true, force: true });
    },
  };
}
