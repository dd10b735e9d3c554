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
  ['C:\\Restored\\..\\web01', DOTS],
  ['C:\\Restored\\.\\web01', DOTS],
  ['D:\\..', DOTS],
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


const suggest = (vm: string) => `Choose a folder of your own, such as C:\\Restores\\${vm}`;
/** The refusal of the system drive's root. */
export const systemRootMessage = (vm: string) => `target_path is the root of the system drive (C:\\): Windows itself lives there. ${suggest(vm)}`;
/** The refusal of the agent's work folder. */
export const workFolderMessage = (vm: string) => `target_path is inside the restore agent's own work folder: the agent keeps its files there. ${suggest(vm)}`;

/**
 * [target_path, the exact refusal for a VM of that name]: system folders in the spellings Windows would still open
 * as them. Run against the sidecar's validator, the start-restore API, the browser module and the agent's plan.
 */
export function systemFolderPaths(vm: string): [string, string][] {
  const SYSTEM_ROOT_MESSAGE = systemRootMessage(vm);
  const WORK_FOLDER_MESSAGE = workFolderMessage(vm);
  const systemFolder = (folder: string) => `target_path is inside the Windows system folder ${folder}: writing there can break the host. ${suggest(vm)}`;
  return [
    ['C:\\', SYSTEM_ROOT_MESSAGE],
    ['c:\\', SYSTEM_ROOT_MESSAGE],
    ['C:/', SYSTEM_ROOT_MESSAGE],
    ['C:\\Restores\\..', SYSTEM_ROOT_MESSAGE],
    ['\\\\localhost\\C$', SYSTEM_ROOT_MESSAGE],
    ['C:\\Windows', systemFolder('C:\\Windows')],
    ['C:\\Windows\\System32\\x', systemFolder('C:\\Windows')],
    ['c:\\WINDOWS\\temp', systemFolder('C:\\Windows')],
    ['C:/Windows/System32', systemFolder('C:\\Windows')],
    ['C:\\Windows.', systemFolder('C:\\Windows')],
    ['C:\\Windows. .\\x', systemFolder('C:\\Windows')],
    ['C:\\Windows\\', systemFolder('C:\\Windows')],
    ['C:\\Windows::$INDEX_ALLOCATION\\x', systemFolder('C:\\Windows')],
    ['C:\\Restores\\..\\Windows', systemFolder('C:\\Windows')],
    ['D:\\Windows', systemFolder('D:\\Windows')],
    ['\\\\?\\C:\\Windows', systemFolder('C:\\Windows')],
    ['\\\\.\\c:\\windows\\x', systemFolder('C:\\Windows')],
    ['\\\\hv01\\c$\\Windows\\x', systemFolder('C:\\Windows')],
    ['C:\\Program Files\\x', systemFolder('C:\\Program Files')],
    ['C:\\program files', systemFolder('C:\\Program Files')],
    ['C:\\PROGRA~1\\x', systemFolder('C:\\Program Files')],
    ['C:\\progra~2', systemFolder('C:\\Program Files')],
    ['C:\\Program Files (x86)\\App', systemFolder('C:\\Program Files (x86)')],
    ['E:\\Program Files (x86)', systemFolder('E:\\Program Files (x86)')],
    ['C:\\ProgramData\\Microsoft\\Windows', systemFolder('C:\\ProgramData\\Microsoft')],
    ['C:\\PROGRA~3\\MICROS~1', systemFolder('C:\\ProgramData\\Microsoft')],
    ['C:\\$Recycle.Bin\\S-1-5-21', systemFolder('C:\\$Recycle.Bin')],
    ['D:\\$RECYC~1.BIN', systemFolder('D:\\$Recycle.Bin')],
    ['C:\\System Volume Information', systemFolder('C:\\System Volume Information')],
    ['F:\\SYSTEM~1\\x', systemFolder('F:\\System Volume Information')],
    ['C:\\ProgramData\\HypervRestore\\work', WORK_FOLDER_MESSAGE],
    ['D:\\programdata\\hypervrestore', WORK_FOLDER_MESSAGE],
  ];
}

/** Close to a system folder but not one: accepted. */
export const NEAR_SYSTEM_FOLDER_PATHS = ['D:\\', 'C:\\Restores\\Windows', 'C:\\Windows Backups', 'C:\\WindowsOld', 'C:\\ProgramData', 'C:\\ProgramData\\Restores',
  'C:\\Programs\\x', 'C:\\Users\\me\\Program Files', '\\\\nas\\Windows', '\\\\nas\\share\\Windows', '\\\\hv01\\c$\\Restores'];
