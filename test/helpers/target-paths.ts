import { TARGET_PATH_MAX_LENGTH } from '../../sidecar/lib/target-path.js';

const ABSOLUTE = 'target_path must be an absolute Windows path (C:\\...) or a UNC path (\\\\server\\share\\...)';
const DOTS = 'target_path must not contain "." or ".." segments';
const char = (c: string) => `target_path contains a character Windows does not allow in names: ${c}`;
const reserved = (s: string) => `target_path uses a name Windows reserves for devices: "${s}"`;
const short = (s: string) => `target_path uses a short (8.3) name "${s}": write the folder's full name instead`;
const trailing = (s: string) => `target_path has a folder name ending in a dot or a space: "${s}"`;

/** [bad target_path, the exact message it answers with]: used by the validator and the start-restore tests. */
export const BAD_TARGET_PATHS: [string, string][] = [
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
  ['C:\\DUPTES~1', short('DUPTES~1')],
  ['C:\\Restored\\WEB01~12\\x', short('WEB01~12')],
  ['\\\\nas01\\RESTOR~1', short('RESTOR~1')],
  ['C:\\PROGRA~2.X\\y', short('PROGRA~2.X')],
  ['C:\\' + 'a'.repeat(TARGET_PATH_MAX_LENGTH - 2), `target_path is too long (at most ${TARGET_PATH_MAX_LENGTH} characters)`],
];

