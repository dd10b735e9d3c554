// Kopia failures the restore engine must end cleanly, with real kopia: a corrupted pack blob in a filesystem
// repository and an S3 server that goes away mid-restore. Each ends the disk with a clear error, leaves no .partial
// and no final file. (A wrong password and a missing snapshot: test/agent/end-to-end.test.ts, restore-engine.test.ts.)
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { mkdir, open, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { openRepository } from '../../agent/engine/repository-session.js';
import { RestoreError, type RepositorySession } from '../../agent/engine/types.js';
import { createTestRepository, diskLayout, kopiaPath, writeDisk, type TestRepository } from '../helpers/kopia.js';
import { startVersityGw, type VersityGw, s3RepositoryOn } from '../helpers/versitygw.js';

const MiB = 1024 * 1024;

/** Every pack blob (data) of a filesystem repository. */
function packBlobs(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.startsWith('p/') && f.endsWith('.f')) // kopia's filesystem layout: p/<shard>/<blob>.f
    .map((f) => join(dir, f));
}

async function flipBytes(file: string): Promise<void> {
  const { size } = await stat(file);
  const handle = await open(file, 'r+');
  try {
    const at = Math.floor(size / 2);
    const buffer = Buffer.alloc(16);
    await handle.read(buffer, 0, 16, at);
    for (let i = 0; i < buffer.length; i++) buffer[i] = buffer[i]! ^ 0xff;
    await handle.write(buffer, 0, 16, at);
  } finally {
    await handle.close();
  }
}

function assertNothingLeft(target: string): void {
  assert.ok(!existsSync(target), `${target} must not exist`);
  assert.ok(!existsSync(`${target}.partial`), `${target}.partial must not exist`);
}

async function snapshotDisk(repo: TestRepository, name: string, sizeMiB: number, zeros = true): Promise<string> {
  const file = join(repo.dir, name);
  await writeDisk(file, zeros ? diskLayout(name, sizeMiB) : { name, size: sizeMiB * MiB + 4321, zeroRegions: [] }, `${name}:rel`);
  return repo.snapshotFile(file, `C:\\VMs\\${name}`);
}

describe('Kopia failures end the disk cleanly', function () {
  this.timeout(420_000);

  describe('a corrupted pack in a filesystem repository', function () {
    let repo: TestRepository;
    let manifest: string;
    let out: string;
    before(async () => {
      repo = await createTestRepository();
      manifest = await snapshotDisk(repo, 'disk0.vhdx', 16);
      out = join(repo.dir, 'restored');
      await mkdir(out);
      const spec = repo.spec as { path: string };
      const packs = packBlobs(spec.path);
      assert.ok(packs.length > 0, 'the repository has pack blobs');
      for (const pack of packs) await flipBytes(pack);
    });
    after(async () => repo?.cleanup());

    for (const forceKopiaRestore of [false, true]) {
      it(`Rejects the disk with a clear error, nothing left behind (${forceKopiaRestore ? 'kopia snapshot restore' : 'parallel'})`, async () => {
        const session: RepositorySession = await openRepository({
          kopiaPath: kopiaPath(), workDir: join(repo.dir, `work-${forceKopiaRestore}`), repository: repo.spec, password: repo.password, forceKopiaRestore,
        });
        const target = join(out, `disk0-${forceKopiaRestore}.vhdx`);
        try {
          await assert.rejects(
            session.restoreDisk({ manifestId: manifest, expectedFileName: 'disk0.vhdx', targetFile: target, parallelism: 4, signal: new AbortController().signal }),
            (e: Error) => {
              assert.ok(e instanceof RestoreError, `${e.name}: ${e.message}`);
              assert.match(e.message, /corrupt|damaged|decrypt|cannot read|kopia/i);
              if (process.env.E2E_DUMP) process.stderr.write(`corrupted pack: ${e.message}\n`);
              return true;
            },
          );
        } finally {
          await session.close();
        }
        assertNothingLeft(target);
      });
    }
  });

  describe('an S3 server that goes away mid-restore', function () {
    let gw: VersityGw;
    let repo: TestRepository;
    let manifest: string;
    before(async () => {
      gw = await startVersityGw();
      await gw.createBucket('backups');
      repo = await createTestRepository(s3RepositoryOn(gw, 'backups', 'rel/'));
      manifest = await snapshotDisk(repo, 'big.vhdx', 96, false);
    });
    after(async () => {
      await repo?.cleanup();
      await gw?.stop();
    });

    it('Rejects the disk with a clear error once kopia gives up on the storage (under 4 min), nothing left behind', async () => {
      const out = join(repo.dir, 'restored');
      await mkdir(out);
      const target = join(out, 'big.vhdx');
      const session = await openRepository({ kopiaPath: kopiaPath(), workDir: join(repo.dir, 'work'), repository: repo.spec, password: repo.password });
      let stopped: Promise<void> | null = null;
      let stoppedAt = 0;
      // The first data on disk, not the first progress report (a timer): a fast machine restores all of it in between.
      const watch = setInterval(() => {
        void stat(`${target}.partial`).then((info) => {
          if (info.blocks > 0 && !stopped) {
            stoppedAt = Date.now();
            // Killed, not shut down: a graceful stop lets it serve for up to 3 s more, time enough on a fast
            // machine to hand kopia the rest of the disk.
            stopped = gw.stop({ abrupt: true });
          }
        }, () => undefined);
      }, 2);
      try {
        await assert.rejects(
          session.restoreDisk({ manifestId: manifest, expectedFileName: 'big.vhdx', targetFile: target, parallelism: 2, signal: new AbortController().signal }),
          (e: Error) => {
            assert.ok(e instanceof RestoreError, `${e.name}: ${e.message}`);
            assert.match(e.message, /^Cannot read the backup from the repository \(storage unreachable or data damaged\): /);
            return true;
          },
        );
      } finally {
        clearInterval(watch);
        await stopped;
        await session.close();
      }
      assert.ok(stoppedAt > 0, 'the server was stopped during the restore');
      // kopia retries its storage for about 2.5 minutes (155 s measured) before the read fails: a short S3 outage
      // does not fail a long restore, a real one ends the disk.
      assert.ok(Date.now() - stoppedAt < 240_000, `failed ${Date.now() - stoppedAt} ms after the stop`);
      assertNothingLeft(target);
    });
  });
});
