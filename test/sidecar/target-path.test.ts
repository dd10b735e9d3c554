import assert from 'node:assert/strict';
import { TARGET_PATH_MAX_LENGTH, validateTargetPath } from '../../sidecar/lib/target-path.js';

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

const ABSOLUTE = 'target_path must be an absolute Windows path (C:\\...) or a UNC path (\\\\server\\share\\...)';
const DOTS = 'target_path must not contain "." or ".." segments';
const char = (c: string) => `target_path contains a character Windows does not allow in names: ${c}`;
const reserved = (s: string) => `target_path uses a name Windows reserves for devices: "${s}"`;
const trailing = (s: string) => `target_path has a folder name ending in a dot or a space: "${s}"`;

const BAD: [string, string][] = [
  ['', 'target_path is required'],
  ['   ', 'target_path is required'],
  ['Restored\\web01', ABSOLUTE],
  ['\\Restored\\web01', ABSOLUTE],
  ['C:Restored', ABSOLUTE],
  ['C:', ABSOLUTE],
  ['1:\\Restored', ABSOLUTE],
  [' C:\\Restored', ABSOLUTE],
  ['\\\\server', ABSOLUTE],
  ['\\\\\\share', ABSOLUTE],
  ['\\\\server\\', ABSOLUTE],
  ['C:/Restored/web01', 'target_path must use backslashes (\\), not forward slashes'],
  ['C:\\Restored/web01', 'target_path must use backslashes (\\), not forward slashes'],
  ['C:\\Restored\\..\\Windows', DOTS],
  ['C:\\Restored\\.\\web01', DOTS],
  ['C:\\..', DOTS],
  ['\\\\.\\PhysicalDrive0', DOTS],
  ['\\\\?\\C:\\Restored', char('"?"')],
  ['C:\\Restored\\a:b', char('":"')],
  ['C:\\Restored\\web*', char('"*"')],
  ['C:\\Restored\\what?', char('"?"')],
  ['C:\\Restored\\<web>', char('"<"')],
  ['C:\\Restored\\a|b', char('"|"')],
  ['C:\\Restored\\"quoted"', char('"""')],
  ['C:\\Restored\\tab\there', char('control character U+0009')],
  ['C:\\Restored\\nul\u0000byte', char('control character U+0000')],
  ['C:\\Restored\\line\nbreak', char('control character U+000A')],
  ['C:\\Restored\\CON', reserved('CON')],
  ['C:\\Restored\\nul', reserved('nul')],
  ['C:\\Restored\\NUL.txt', reserved('NUL.txt')],
  ['C:\\Restored\\com1', reserved('com1')],
  ['C:\\Restored\\LPT9\\x', reserved('LPT9')],
  ['C:\\Restored\\AUX .log', reserved('AUX .log')],
  ['C:\\Restored\\PRN', reserved('PRN')],
  ['C:\\Restored\\COM\u00b9', reserved('COM\u00b9')],
  ['C:\\Restored\\CONOUT$', reserved('CONOUT$')],
  ['C:\\Restored\\web01.', trailing('web01.')],
  ['C:\\Restored\\web01 ', trailing('web01 ')],
  ['C:\\Restored \\web01', trailing('Restored ')],
  ['C:\\Restored\\\\web01', 'target_path must not contain empty segments (\\\\ inside the path)'],
  ['C:\\' + 'a'.repeat(TARGET_PATH_MAX_LENGTH - 2), `target_path is too long (at most ${TARGET_PATH_MAX_LENGTH} characters)`],
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

export { BAD as BAD_TARGET_PATHS };
