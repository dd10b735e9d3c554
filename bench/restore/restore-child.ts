// Runs one disk restore with the agent's engine in a process of its own, so its peak RSS is the engine's alone.
// Input: the JSON in BENCH_RESTORE (an env variable, not argv: it carries the repository password).
import { readFileSync } from 'node:fs';
import { createPosixPlatform } from '../../agent/platform/posix.js';
import { openRepository } from '../../agent/engine/repository-session.js';
import type { RepositoryConnection } from '../../agent/engine/types.js';

interface ChildInput {
  kopiaPath: string;
  workDir: string;
  repository: RepositoryConnection;
  password: string;
  manifestId: string;
  expectedFileName: string;
  targetFile: string;
  parallelism: number;
  /** 'ascending' forces the Windows write order (every byte, in file order) on this Linux host. */
  order: 'sparse' | 'ascending';
  /** false: reads in flight fixed at `parallelism` (the engine before it measured) */
  adaptive: boolean;
}

const input = JSON.parse(process.env.BENCH_RESTORE ?? '{}') as ChildInput;
const opening = Date.now();
const session = await openRepository({ kopiaPath: input.kopiaPath, workDir: input.workDir, repository: input.repository, password: input.password,
  platform: createPosixPlatform({ writeOrder: input.order }), disks: [{ manifestId: input.manifestId, expectedFileName: input.expectedFileName }] });
try {
  const started = Date.now();
  const openSeconds = (started - opening) / 1000;
  // Where the wall clock went: the disk's lookup and plan up to its .partial, the data, then fsync and the move.
  let planned = started;
  let written = started;
  const result = await session.restoreDisk({
    manifestId: input.manifestId, expectedFileName: input.expectedFileName, targetFile: input.targetFile,
    parallelism: input.parallelism, adaptiveParallelism: input.adaptive, signal: new AbortController().signal,
    onPartialCreated: async () => { planned = Date.now(); },
    beforeCommit: async () => { written = Date.now(); },
  });
  const ended = Date.now();
  const phases = { connect: openSeconds, plan: (planned - started) / 1000, data: (written - planned) / 1000, commit: (ended - written) / 1000 };
  // What a user waits for: opening the repository (kopia server start) and the disk, like `kopia snapshot restore`.
  const seconds = (ended - opening) / 1000;
  const peakRss = Number(/VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'))?.[1] ?? 0) * 1024;
  const used = process.cpuUsage();
  process.stdout.write(JSON.stringify({ ...result, seconds, openSeconds, phases, peakRss, cpuSeconds: (used.user + used.system) / 1e6 }) + '\n');
} finally {
  await session.close();
}
