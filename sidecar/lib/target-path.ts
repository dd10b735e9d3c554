// Validates a restore target folder on the Hyper-V host: an absolute Windows path (C:\...) or a UNC path
// (\\server\share\...). Pure and dependency-free: the sidecar, the browser wizard and the agent all use it.
// Rules: not a Windows system folder (see systemFolderProblem), at most 248 characters (Windows' directory limit
// without long-path support), no "." or ".." segments, no characters Windows forbids in names, no reserved device
// names, no segment ending in a dot or a space, no 8.3 short names.

export const TARGET_PATH_MAX_LENGTH = 248;

export type TargetPathResult = { ok: true; path: string } | { ok: false; message: string };

export interface TargetPathOptions {
  /** Names the VM in the suggested folder of a refusal (C:\Restores\<vm>). */
  vmName?: string;
  /** More folders to refuse with their subfolders, as Windows paths (the agent adds its own work folder). */
  protectedFolders?: readonly string[];
  /** The drive whose bare root is refused; C: unless the host says otherwise. */
  systemDrive?: string;
}

const FORBIDDEN_CHARS = '<>:"/\\|?*';
const DRIVE = /^[A-Za-z]:\\/;
// CON, PRN, AUX, NUL, COM0-9, LPT0-9 (and the superscript digits Windows also reserves), CONIN$, CONOUT$:
// reserved whatever the extension ("NUL.txt") and trailing spaces.
const RESERVED = /^(CON|PRN|AUX|NUL|COM[0-9\u00b9\u00b2\u00b3]|LPT[0-9\u00b9\u00b2\u00b3]|CONIN\$|CONOUT\$)$/i;

const fail = (message: string): TargetPathResult => ({ ok: false, message });

function describeChar(c: string): string {
  const code = c.charCodeAt(0);
  return code < 32 ? `control character U+${code.toString(16).padStart(4, '0').toUpperCase()}` : `"${c}"`;
}

function checkSegment(segment: string): string | null {
  if (segment === '') return 'target_path must not contain empty segments (\\\\ inside the path)';
  if (segment === '.' || segment === '..') return 'target_path must not contain "." or ".." segments';
  const bad = [...segment].find((c) => c.charCodeAt(0) < 32 || FORBIDDEN_CHARS.includes(c));
  if (bad) return `target_path contains a character Windows does not allow in names: ${describeChar(bad)}`;
  if (/[. ]$/.test(segment)) return `target_path has a folder name ending in a dot or a space: "${segment}"`;
  const stem = segment.split('.')[0]!.replace(/ +$/, '');
  if (RESERVED.test(stem)) return `target_path uses a name Windows reserves for devices: "${segment}"`;
  return null;
}

/** Splits into [root, segments] or returns null when the path is neither drive-absolute nor UNC. */
function splitRoot(path: string): { root: string; rest: string[] } | null {
  if (DRIVE.test(path)) {
    const rest = path.slice(3);
    return { root: path.slice(0, 3), rest: rest === '' ? [] : rest.split('\\') };
  }
  if (path.startsWith('\\\\')) {
    const parts = path.slice(2).split('\\');
    if (parts.length < 2 || parts[0] === '' || parts[1] === '') return null;
    return { root: '\\\\', rest: parts };
  }
  return null;
}

// ---- system folders -----------------------------------------------------------------------------------------
// Folders on any drive that a restore must never write into. Matched on what Windows itself would open: case
// folded, "/" as "\", trailing dots and spaces dropped, "." and ".." resolved, NTFS streams (":$DATA") cut off,
// 8.3 short names (PROGRA~1) taken for every long name they can stand for, admin shares (\\host\C$) and
// \\?\ / \\.\ prefixes read as their drive. So no spelling gets round it, and the refusal names the reason.
const SYSTEM_FOLDERS = ['Windows', 'Program Files', 'Program Files (x86)', 'ProgramData\\Microsoft', '$Recycle.Bin', 'System Volume Information'];
// A short name can stand for several of them (PROGRA~3 for Program Files or ProgramData): the longer match names it.
const SYSTEM_FOLDERS_DEEPEST_FIRST = [...SYSTEM_FOLDERS].sort((a, b) => b.split('\\').length - a.split('\\').length);
/** The agent's documented work folder (docs/install-whmcs.md); the agent also protects the one it really uses. */
const AGENT_WORK_FOLDER = 'ProgramData\\HypervRestore';
const SHORT_NAME_PARTS = /^([^~.]{1,6})~[0-9]{1,6}(?:\.([^.]{0,3}))?$/;

interface CanonicalPath {
  /** "c:" for a drive (also an admin share or a \\?\ path), null for a network share. */
  drive: string | null;
  segments: string[];
}

function canonicalSegments(parts: string[]): string[] {
  const out: string[] = [];
  for (const raw of parts) {
    const name = raw.split(':')[0]!.replace(/ +$/, '');
    if (name === '..') {
      out.pop();
      continue;
    }
    // Windows drops trailing dots and spaces, so "Windows." and "..." are "Windows" and ".".
    const segment = name.replace(/[. ]+$/, '').toLowerCase();
    if (segment !== '') out.push(segment);
  }
  return out;
}

function canonicalPath(path: string): CanonicalPath | null {
  const parts = path.replace(/\//g, '\\').split('\\');
  // "C:" alone is the drive's current folder, not its root: the syntax rules refuse it.
  if (/^[a-z]:$/i.test(parts[0]!) && parts.length > 1) return { drive: parts[0]!.toLowerCase(), segments: canonicalSegments(parts.slice(1)) };
  if (parts[0] !== '' || parts[1] !== '') return null;
  const [host = '', share = '', ...rest] = parts.slice(2);
  if ((host === '?' || host === '.') && /^[a-z]:$/i.test(share)) return { drive: share.toLowerCase(), segments: canonicalSegments(rest) };
  if (/^[a-z]\$$/i.test(share)) return { drive: `${share[0]!.toLowerCase()}:`, segments: canonicalSegments(rest) };
  return { drive: null, segments: canonicalSegments(rest) };
}

/** True when a canonical segment names the long folder name: the name itself or a short name it may have. */
function namesFolder(segment: string, longName: string): boolean {
  const name = longName.toLowerCase();
  if (segment === name) return true;
  const short = SHORT_NAME_PARTS.exec(segment);
  if (!short) return false;
  const dot = name.lastIndexOf('.');
  const base = (dot > 0 ? name.slice(0, dot) : name).replace(/[. ]/g, '');
  const ext = dot > 0 ? name.slice(dot + 1).replace(/ /g, '') : '';
  return base.startsWith(short[1]!) && (!short[2] || ext.startsWith(short[2]));
}

function isInside(path: CanonicalPath, folder: string, drive: string | null): boolean {
  const parts = folder.split('\\');
  if (drive !== null && path.drive !== drive) return false;
  return path.segments.length >= parts.length && parts.every((part, i) => namesFolder(path.segments[i]!, part));
}

/** A folder suggestion that passes every rule: C:\Restores\<VM name>, or C:\Restores when the name cannot be used. */
export function suggestedTargetPath(vmName?: string): string {
  const cleaned = (vmName ?? '').replace(/[<>:"/\\|?*\p{Cc}]/gu, '').replace(/[. ]+$/, '').trim().slice(0, 64);
  const candidate = `C:\\Restores\\${cleaned}`;
  return cleaned && validateTargetPath(candidate).ok ? candidate : 'C:\\Restores';
}

/** Why the path is a system folder (or the system drive's root), or null. Kept apart from the syntax rules. */
export function systemFolderProblem(path: string, options: TargetPathOptions = {}): string | null {
  const canonical = canonicalPath(path);
  if (!canonical) return null;
  const suggestion = `Choose a folder of your own, such as ${suggestedTargetPath(options.vmName)}`;
  const drive = canonical.drive ? canonical.drive.toUpperCase() : '';
  const systemDrive = `${(options.systemDrive ?? 'C').slice(0, 1).toLowerCase()}:`;
  if (canonical.drive === systemDrive && canonical.segments.length === 0) {
    return `target_path is the root of the system drive (${drive}\\): Windows itself lives there. ${suggestion}`;
  }
  const system = canonical.drive && SYSTEM_FOLDERS_DEEPEST_FIRST.find((folder) => isInside(canonical, folder, null));
  if (system) return `target_path is inside the Windows system folder ${drive}\\${system}: writing there can break the host. ${suggestion}`;
  const own = [AGENT_WORK_FOLDER, ...(options.protectedFolders ?? [])].find((folder) => {
    const theirs = canonicalPath(folder);
    if (!theirs) return canonical.drive !== null && isInside(canonical, folder, null);
    // Only folders on a drive are matched; a share given here would otherwise match every drive.
    return theirs.drive !== null && theirs.segments.length > 0 && isInside(canonical, theirs.segments.join('\\'), theirs.drive);
  });
  return own ? workFolderRefusal(options.vmName) : null;
}

/** The refusal of the agent's work folder; the agent also says it when a mapped path lands there. */
export function workFolderRefusal(vmName?: string): string {
  return `target_path is inside the restore agent's own work folder: the agent keeps its files there. Choose a folder of your own, such as ${suggestedTargetPath(vmName)}`;
}

/** A restore target: the syntax rules below, and never a system folder. */
export function validateTargetPath(input: unknown, options: TargetPathOptions = {}): TargetPathResult {
  const system = typeof input === 'string' && input.trim() !== '' ? systemFolderProblem(input, options) : null;
  return system ? fail(system) : validateWindowsPath(input);
}

/** Only the syntax of an absolute Windows or UNC path: also for paths that are read, such as a VM's disk on its host. */
export function validateWindowsPath(input: unknown): TargetPathResult {
  if (typeof input !== 'string' || input.trim() === '') return fail('target_path is required');
  if (input.includes('/')) return fail('target_path must use backslashes (\\), not forward slashes');
  // One trailing backslash is accepted and dropped ("C:\Restore\" is "C:\Restore"); the drive root keeps its own.
  const path = input.length > 3 && input.endsWith('\\') && !input.endsWith('\\\\') ? input.slice(0, -1) : input;
  if (path.length > TARGET_PATH_MAX_LENGTH) return fail(`target_path is too long (at most ${TARGET_PATH_MAX_LENGTH} characters)`);
  const split = splitRoot(path);
  if (!split) return fail('target_path must be an absolute Windows path (C:\\...) or a UNC path (\\\\server\\share\\...)');
  for (const segment of split.rest) {
    const problem = checkSegment(segment) ?? shortNameProblem(segment);
    if (problem) return fail(problem);
  }
  return { ok: true, path };
}

// An 8.3 short name ("DUPTES~1") is another spelling of a folder whose long name only the host knows: two restores
// could then write one folder under two names. Its mark: a `~` and digits ending the name, before any extension.
const SHORT_NAME = /~[0-9]+(?:\.[^.]*)?$/;

function shortNameProblem(segment: string): string | null {
  if (!SHORT_NAME.test(segment)) return null;
  return `target_path uses a short (8.3) name "${segment}": write the folder's full name instead`;
}
