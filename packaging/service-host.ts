// Builds the Go service host for Windows. -trimpath, no VCS stamp and an empty build id make the exe a function of
// the sources, go.sum and the Go version only.
import { execFileSync } from 'node:child_process';
import { renameSync } from 'node:fs';
import { join } from 'node:path';

export function buildServiceHost(root: string, version: string, target: string): void {
  const source = join(root, 'agent', 'service-host');
  execFileSync('go', ['build', '-trimpath', '-buildvcs=false', `-ldflags=-s -w -buildid= -X main.version=${version}`, '-o', `${target}.partial`, '.'], {
    cwd: source,
    stdio: ['ignore', 'ignore', 'inherit'],
    env: { ...process.env, GOOS: 'windows', GOARCH: 'amd64', CGO_ENABLED: '0', GOTOOLCHAIN: 'local', GOFLAGS: '-mod=readonly' },
  });
  renameSync(`${target}.partial`, target);
}
