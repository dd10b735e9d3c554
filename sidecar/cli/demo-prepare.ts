// `node dist/sidecar/cli/demo-prepare.js disks --dir DIR`: makes (or reuses) the demo's VHDX disks, kopia
// repository and DIR/points.json. `... agent --dir DIR --sidecar-url URL`: writes DIR/agent.json for the seeded
// agent (read from DIR/seed.json, which `demo-seed --out` writes). Both are idempotent; scripts/demo.sh runs them.
import { readFileSync, writeFileSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { kopiaPath } from '../demo/kopia-repository.js';
import { demoAgentConfig, prepareDemoDisks } from '../demo/prepare-demo-disks.js';
import { coerceError } from '../lib/errors.js';

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({ allowPositionals: true, options: { dir: { type: 'string' }, 'sidecar-url': { type: 'string' } } });
  if (!values.dir) throw new Error('--dir is required');
  const dir = isAbsolute(values.dir) ? values.dir : resolve(values.dir);
  if (positionals[0] === 'disks') {
    const started = Date.now();
    const { reused } = await prepareDemoDisks(dir);
    process.stdout.write(`[demo] ${reused ? 'reusing' : 'made'} the VHDX disks and kopia repository under ${dir} (${Date.now() - started} ms)\n`);
  } else if (positionals[0] === 'agent') {
    if (!values['sidecar-url']) throw new Error('--sidecar-url is required');
    const seed = JSON.parse(readFileSync(join(dir, 'seed.json'), 'utf8')) as { agentId: number; agentToken: string };
    const config = demoAgentConfig(dir, seed, values['sidecar-url'], kopiaPath());
    // Holds the agent token and the repository password: readable by the owner only.
    writeFileSync(join(dir, 'agent.json'), JSON.stringify(config, null, 2) + '\n', { mode: 0o600 });
  } else {
    throw new Error('usage: demo-prepare disks|agent --dir DIR [--sidecar-url URL]');
  }
}

main().catch((thrown) => {
  process.stderr.write(`demo-prepare: ${coerceError(thrown).message}\n`);
  process.exit(1);
});
