// Validates a restore target folder on the Hyper-V host: an absolute Windows path (C:\...) or a UNC path
// (\\server\share\...). Pure and dependency-free: the sidecar, the browser wizard and the agent all use it.
// Rules: at most 248 characters (Windows' directory limit without long-path support), no "." or ".." segments,
// no characters Windows forbids in names, no reserved device names, no segment ending in a dot or a space, no 8.3
// short names.

export const TARGET_PATH_MAX_LENGTH = 248;

export type TargetPathResult = { ok: true; path: string } | { ok: false; message: string };

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

export function validateTargetPath(input: unknown): TargetPathResult {
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
