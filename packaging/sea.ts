// hyperv-restore-agent.exe: Node's single-executable application. The bundle becomes a SEA blob (made by a Node of
// exactly the target node.exe's version: the blob format is tied to it), which postject injects into a copy of
// node.exe as the NODE_SEA_BLOB resource. No snapshot or code cache: both are tied to the building machine's V8 and
// would make the output differ from machine to machine.
import { execFileSync } from 'node:child_process';
import { copyFileSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { inject } from 'postject';
import { stripAuthenticode } from './pe-signature.js';

// The fuse Node looks for to know it carries a blob (Node's docs, "Single executable applications").
const SEA_FUSE = 'NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2';

export async function buildSeaExe(nodeExe: string, nodeVersion: string, script: string, workDir: string, target: string): Promise<void> {
  if (process.version !== `v${nodeVersion}`) {
    throw new Error(`the SEA blob for node.exe ${nodeVersion} must be made by Node ${nodeVersion}; this is Node ${process.version}`);
  }
  // The blob records the main script's path as given: relative to the work folder, so it names no folder of this
  // machine and two checkouts give the same bytes.
  const blob = join(workDir, 'agent.blob');
  writeFileSync(join(workDir, 'sea-config.json'), JSON.stringify({
    main: relative(workDir, script), output: 'agent.blob', disableExperimentalSEAWarning: true, useSnapshot: false, useCodeCache: false,
  }));
  execFileSync(process.execPath, ['--experimental-sea-config', 'sea-config.json'], { cwd: workDir, stdio: 'pipe' });
  const partial = `${target}.partial`;
  copyFileSync(nodeExe, partial);
  // The injected resource breaks node.exe's Authenticode signature; an unsigned file is honest, a broken one is not.
  stripAuthenticode(partial);
  await inject(partial, 'NODE_SEA_BLOB', readFileSync(blob), { sentinelFuse: SEA_FUSE });
  renameSync(partial, target);
}
