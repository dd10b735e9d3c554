// The bench's Go tools (bench/restore/<name>), built once per source version into the shared cache.
import { execa } from 'execa';
import { projectPath } from '../../test/helpers/paths.js';

export type BenchTool = 'kopia-reader' | 'latency-proxy';

/** Builds the tool when its cached binary is missing (scripts/ensure-bench-tool.sh) and returns the binary's path. */
export async function ensureBenchTool(name: BenchTool): Promise<string> {
  const { stdout } = await execa('bash', [projectPath('scripts/ensure-bench-tool.sh'), name], { stderr: 'inherit' });
  return stdout.trim();
}
