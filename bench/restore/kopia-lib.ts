// The bench's `kopia-lib` method: kopia's own Go library reading the disk in-process with N workers
// (bench/restore/kopia-reader), after a connect made exactly as the agent makes its own (agent/engine/kopia.ts: same
// flags, a fresh config and cache), so it starts as cold as ours and differs from ours only in how chunks are read.
import { execa } from 'execa';
import { connectRepository, createKopiaContext } from '../../agent/engine/kopia.js';
import type { RepositoryConnection } from '../../agent/engine/types.js';
import { ensureBenchTool } from './bench-tool.js';

export interface KopiaLibInput {
  kopiaPath: string;
  readerPath: string;
  /** a fresh folder for this run's kopia config, cache and logs; it is on every command line of the run */
  dir: string;
  repository: RepositoryConnection;
  password: string;
  manifestId: string;
  target: string;
  workers: number;
}

/** What kopia-reader prints (its one JSON line). */
export interface KopiaLibOutput {
  seconds: number;
  openSeconds: number;
  chunks: number;
  chunksFetched: number;
  chunksSkippedZero: number;
  bytesWritten: number;
}

const FIELDS = ['seconds', 'openSeconds', 'chunks', 'chunksFetched', 'chunksSkippedZero', 'bytesWritten'] as const;

/** Builds the reader once per source version and returns its path. */
export const ensureKopiaReader = (): Promise<string> => ensureBenchTool('kopia-reader');

export async function restoreWithKopiaLibrary(input: KopiaLibInput): Promise<KopiaLibOutput> {
  const ctx = await createKopiaContext(input.kopiaPath, input.dir, input.password);
  await connectRepository(ctx, input.repository);
  // The password reaches the reader as it reaches kopia: through KOPIA_PASSWORD in the session's own environment.
  const result = await execa(input.readerPath, ['--config', ctx.configFile, '--snapshot', input.manifestId, '--target', input.target,
    '--workers', String(input.workers)], { env: ctx.env, extendEnv: false, reject: false });
  if (result.exitCode !== 0) throw new Error(`kopia-reader exited with ${result.exitCode}: ${String(result.stderr).trim()}`);
  return parseOutput(String(result.stdout));
}

export function parseOutput(stdout: string): KopiaLibOutput {
  const parsed = JSON.parse(stdout) as Record<string, unknown>;
  const output = {} as Record<(typeof FIELDS)[number], number>;
  for (const field of FIELDS) {
    const value = parsed[field];
    if (typeof value !== 'number' || !Number.isFinite(value)) throw new Error(`kopia-reader printed no number "${field}": ${stdout.slice(0, 200)}`);
    output[field] = value;
  }
  return output;
}
