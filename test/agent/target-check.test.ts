// The run's checks of its target folder before anything is fetched: existing disk files, unfinished .partial
// files and the free space for all disks together, each said with the customer's Windows path.
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { existingTargetProblems, freeBytes, spaceProblem } from '../../agent/run/target-check.js';

const MiB = 1024 * 1024;

describe('Target folder checks (agent)', function () {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'hvr-target-check-'));
    await mkdir(join(dir, 'test-1'));
    await writeFile(join(dir, 'test-1', 'web-01-os.vhdx'), 'x');
    await writeFile(join(dir, 'test-1', 'data.vhdx.partial'), 'x');
  });
  after(() => rm(dir, { recursive: true, force: true }));

  const file = (name: string) => ({ hostFile: join(dir, 'test-1', name), shownFile: `C:\\Restores\\test-1\\${name}` });

  it('Rejects every disk already in the folder, one sentence each with the customer\'s path', async () => {
    const problems = await existingTargetProblems([file('web-01-os.vhdx'), file('data.vhdx'), file('new.vhdx')]);
    assert.deepEqual(problems, [
      'C:\\Restores\\test-1\\web-01-os.vhdx already exists; choose another folder',
      'C:\\Restores\\test-1\\data.vhdx.partial is left from an unfinished restore (or one is writing it now); choose another folder or delete that file',
    ]);
    assert.ok(problems.every((p) => !p.includes(dir)), 'the host\'s own folder is never named');
  });

  it('Can pass a folder that does not exist yet', async () => {
    assert.deepEqual(await existingTargetProblems([{ hostFile: join(dir, 'new', 'deeper', 'a.vhdx'), shownFile: 'C:\\x\\a.vhdx' }]), []);
    assert.ok(((await freeBytes(join(dir, 'new', 'deeper'))) ?? 0) > 0, 'free space is read from the nearest folder that exists');
  });

  it('Rejects too little free space for all disks together, and accepts enough', async () => {
    const free = async () => 100 * MiB;
    assert.equal(await spaceProblem(dir, 'C:\\Restores\\test-1', [60 * MiB, 50 * MiB], undefined, free),
      'C:\\Restores\\test-1 has 100 MiB free but the 2 disks need 110 MiB; choose another folder or free up space');
    assert.equal(await spaceProblem(dir, 'C:\\Restores\\test-1', [60 * MiB, 40 * MiB], undefined, free), null);
    assert.equal(await spaceProblem(dir, 'D:\\R', [200 * MiB], undefined, free), 'D:\\R has 100 MiB free but the disk needs 200 MiB; choose another folder or free up space');
    assert.equal(await spaceProblem(dir, 'D:\\R', [200 * MiB], (b) => b / 4, free), null, 'the engine\'s own rule decides what a disk needs');
  });
});
