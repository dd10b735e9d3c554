// `npm run package:agent [-- --force]`: builds the Windows release package and prints where it is.
import { join } from 'node:path';
import { repositoryRoot, windowsKopia, windowsNode } from './inputs.js';
import { packageAgent } from './package-agent.js';

const root = repositoryRoot();
const built = await packageAgent({
  root, nodeExe: windowsNode(root), kopiaExe: windowsKopia(root),
  outDir: join(root, 'release'), workDir: join(root, 'build', 'agent-package'), force: process.argv.includes('--force'),
});
process.stdout.write(`${built.cached ? 'unchanged' : 'built'}: ${built.dir}\n${built.zip}\n`);
