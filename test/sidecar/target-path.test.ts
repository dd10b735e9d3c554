import assert from 'node:assert/strict';
import { TARGET_PATH_MAX_LENGTH, validateTargetPath } from '../../sidecar/lib/target-path.js';
import { BAD_TARGET_PATHS as BAD } from '../helpers/target-paths.js';

const GOOD: [string, string][] = [
  ['C:\\Restored\\web01', 'C:\\Restored\\web01'],
  ['d:\\Hyper-V\\Restore 2026\\vm.name', 'd:\\Hyper-V\\Restore 2026\\vm.name'],
  ['C:\\Restored\\', 'C:\\Restored'],
  ['C:\\', 'C:\\'],
  ['\\\\fileserver\\restores', '\\\\fileserver\\restores'],
  ['\\\\fileserver.local\\restores$\\web01', '\\\\fileserver.local\\restores$\\web01'],
  ['E:\\Über\\日本語\\disk', 'E:\\Über\\日本語\\disk'],
  ['C:\\CONSOLE\\NULL\\COM10\\LPT', 'C:\\CONSOLE\\NULL\\COM10\\LPT'],
  ['C:\\' + 'a'.repeat(TARGET_PATH_MAX_LENGTH - 3), 'C:\\' + 'a'.repeat(TARGET_PATH_MAX_LENGTH - 3)],
];

describe('Target path validator', function () {
  for (const [input, path] of GOOD) {
    it(`Can accept ${JSON.stringify(input.length > 40 ? input.slice(0, 40) + '…' : input)}`, () => {
      assert.deepEqual(validateTargetPath(input), { ok: true, path });
    });
  }
  it(`Rejects at least 25 bad paths (has ${BAD.length})`, () => assert.ok(BAD.length >= 25));
  for (const [input, message] of BAD) {
    it(`Rejects ${JSON.stringify(input.length > 40 ? input.slice(0, 40) + '…' : input)}`, () => {
      assert.deepEqual(validateTargetPath(input), { ok: false, message });
    });
  }
  it('Rejects values that are not text', () => {
    for (const v of [undefined, null, 7, ['C:\\x'], { path: 'C:\\x' }]) assert.deepEqual(validateTargetPath(v), { ok: false, message: 'target_path is required' });
  });
});

