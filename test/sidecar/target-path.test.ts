import assert from 'node:assert/strict';
import { targetKey } from '../../sidecar/lib/target-key.js';
import { suggestedTargetPath, TARGET_PATH_MAX_LENGTH, validateTargetPath } from '../../sidecar/lib/target-path.js';
import { BAD_TARGET_PATHS as BAD, NEAR_SYSTEM_FOLDER_PATHS, systemFolderPaths, systemRootMessage, workFolderMessage } from '../helpers/target-paths.js';

const GOOD: [string, string][] = [
  ['C:\\Restored\\web01', 'C:\\Restored\\web01'],
  ['d:\\Hyper-V\\Restore 2026\\vm.name', 'd:\\Hyper-V\\Restore 2026\\vm.name'],
  ['C:\\Restored\\', 'C:\\Restored'],
  ['D:\\', 'D:\\'],
  ['\\\\fileserver\\restores', '\\\\fileserver\\restores'],
  ['\\\\fileserver.local\\restores$\\web01', '\\\\fileserver.local\\restores$\\web01'],
  ['E:\\Über\\日本語\\disk', 'E:\\Über\\日本語\\disk'],
  ['C:\\CONSOLE\\NULL\\COM10\\LPT', 'C:\\CONSOLE\\NULL\\COM10\\LPT'],
  ['C:\\Backups~old\\v~2b\\~', 'C:\\Backups~old\\v~2b\\~'],
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

  it('Can tell equivalent spellings of one folder apart from other folders', () => {
    const same = ['C:\\Restored\\X', 'c:\\restored\\x\\', '\\\\localhost\\C$\\Restored\\X', '\\\\127.0.0.1\\c$\\restored\\x', '\\\\LOCALHOST\\c$\\Restored\\X\\',
      '\\\\127.0.0.2\\C$\\Restored\\X', '\\\\0--1.ipv6-literal.net\\c$\\Restored\\X'];
    assert.deepEqual(new Set(same.map(targetKey)), new Set(['c:\\restored\\x']));
    const other = ['D:\\Restored\\X', '\\\\nas01\\c$\\Restored\\X', '\\\\localhost\\share\\Restored\\X', '\\\\localhost\\c$x\\Restored\\X', 'C:\\Restored\\X2'];
    for (const path of other) assert.notEqual(targetKey(path), 'c:\\restored\\x', path);
    assert.equal(targetKey('\\\\localhost\\C$'), targetKey('C:\\'));
  });
  for (const [input, message] of systemFolderPaths('web01')) {
    it(`Rejects the system folder ${JSON.stringify(input)}, saying why`, () => {
      assert.deepEqual(validateTargetPath(input, { vmName: 'web01' }), { ok: false, message });
    });
  }
  for (const input of NEAR_SYSTEM_FOLDER_PATHS) {
    it(`Can accept ${JSON.stringify(input)}, close to a system folder but not one`, () => assert.equal(validateTargetPath(input).ok, true));
  }
  it('Rejects the root of the host\'s own system drive and an agent\'s work folder given by the host', () => {
    assert.deepEqual(validateTargetPath('D:\\', { systemDrive: 'D:', vmName: 'web01' }), { ok: false, message: systemRootMessage('web01').replace('(C:', '(D:') });
    assert.equal(validateTargetPath('C:\\', { systemDrive: 'D:' }).ok, true);
    const protectedFolders = ['E:\\Agent\\work'];
    assert.deepEqual(validateTargetPath('e:\\AGENT\\work.\\run-1', { protectedFolders, vmName: 'web01' }), { ok: false, message: workFolderMessage('web01') });
    assert.equal(validateTargetPath('D:\\Agent\\work', { protectedFolders }).ok, true, 'the same folder on another drive is not the agent\'s');
    assert.equal(validateTargetPath('E:\\Agent', { protectedFolders }).ok, true, 'the folder above it is not inside it');
  });
  it('Can suggest a folder for any VM name', () => {
    assert.equal(suggestedTargetPath('web-01'), 'C:\\Restores\\web-01');
    assert.equal(suggestedTargetPath('a/b:c.'), 'C:\\Restores\\abc');
    assert.equal(suggestedTargetPath('CON'), 'C:\\Restores');
    assert.equal(suggestedTargetPath(), 'C:\\Restores');
  });
});
