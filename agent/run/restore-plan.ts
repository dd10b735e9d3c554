// Pure: turns a claimed restore command into a plan the agent can run, or refuses it with a clear reason.
// The agent never trusts the server with a path: the payload is validated again here (schema, target path rules,
// disk names), a UNC target must be on a share the config's allowed_shares lists (as LocalSystem the host reaches a
// share as its computer account, so any share open to that account would do otherwise), and the Windows target is
// mapped to a host folder through the config's path_map.
import { join, resolve, sep } from 'node:path';
import { validateTargetPath, validateWindowsPath, workFolderRefusal } from '../../sidecar/lib/target-path.js';
import { LEGACY_RESTORE_COMMAND_TYPE, RESTORE_COMMAND_TYPE, validateHypervRestorePayload, type ClaimedCommand } from '../../sidecar/schemas/agent.js';

export interface PlannedDisk {
  /** The disk's path on the original host (the disk_manifests key). */
  sourcePath: string;
  manifestId: string;
  /** Name of the restored file: the file name of the source path. */
  fileName: string;
  /** Name the snapshot root must have: the reference stores every disk as `<stem>.vhdx`. */
  expectedFileName: string;
  /** Final path on this host. */
  hostFile: string;
  /** The same file as the customer names it: the Windows target folder plus the file name. */
  shownFile: string;
}

export interface RestorePlan {
  runId: number;
  vmName: string;
  targetPath: string;
  hostTarget: string;
  disks: PlannedDisk[];
}

export type PlanResult = { ok: true; plan: RestorePlan } | { ok: false; message: string };

// Control characters are exactly what this refuses.
// eslint-disable-next-line no-control-regex
const DISK_FILE = /^[^<>:"/\\|?*\x00-\x1f]+\.(vhdx|vhd|avhdx)$/i;
const refuse = (message: string): PlanResult => ({ ok: false, message });

/** Maps a validated Windows path to this host: the longest matching path_map prefix, else as is on Windows. */
export function mapTargetPath(windowsPath: string, pathMap: Record<string, string>, platform = process.platform): string | null {
  const lower = windowsPath.toLowerCase();
  const prefixes = Object.keys(pathMap).sort((a, b) => b.length - a.length);
  for (const prefix of prefixes) {
    const p = prefix.endsWith('\\') ? prefix : prefix + '\\';
    if (!(lower + '\\').startsWith(p.toLowerCase())) continue;
    const rest = windowsPath.slice(p.length - 1).split('\\').filter(Boolean);
    const base = resolve(pathMap[prefix]!);
    const mapped = resolve(base, ...rest);
    // Segments were validated (no "..", no separators), so this holds; checked anyway because it guards the host.
    if (mapped !== base && !mapped.startsWith(base + sep)) return null;
    return mapped;
  }
  return platform === 'win32' ? windowsPath : null;
}

function diskOf(sourcePath: string, manifestId: string, hostTarget: string, targetPath: string): PlannedDisk | string {
  // Where the disk was on its host: only its syntax matters (Hyper-V's default folder is under ProgramData\Microsoft).
  const checked = validateWindowsPath(sourcePath);
  if (!checked.ok) return `disk path "${sourcePath}" is not a valid Windows path`;
  const fileName = sourcePath.split('\\').pop() ?? '';
  if (!DISK_FILE.test(fileName)) return `disk path "${sourcePath}" does not name a .vhdx, .vhd or .avhdx file`;
  const stem = fileName.replace(/\.[^.]+$/, '');
  const shownFile = targetPath.endsWith('\\') ? targetPath + fileName : `${targetPath}\\${fileName}`;
  return { sourcePath, manifestId, fileName, expectedFileName: `${stem}.vhdx`, hostFile: join(hostTarget, fileName), shownFile };
}

/** `\\server\share` of a UNC path (validated), or null for a drive path. */
export function shareOf(path: string): string | null {
  if (!path.startsWith('\\\\')) return null;
  const [server, share] = path.slice(2).split('\\');
  return server && share ? `\\\\${server}\\${share}` : null;
}

export interface PlanHost {
  /** The agent's own work folder (a host path): never a restore target, nor anything inside it. */
  workDir?: string;
  /** %SystemDrive% on Windows; C: elsewhere. */
  systemDrive?: string;
}

/** The shared target rule with what only this host knows: its system drive and its own work folder. */
function checkTarget(targetPath: string, vmName: string, platform: string, host: PlanHost) {
  const protectedFolders = platform === 'win32' && host.workDir ? [host.workDir] : [];
  return validateTargetPath(targetPath, { vmName, protectedFolders, systemDrive: host.systemDrive });
}

function insideFolder(path: string, folder: string): boolean {
  const base = resolve(folder);
  return path === base || path.startsWith(base + sep);
}

export function planRestore(command: ClaimedCommand, pathMap: Record<string, string>, platform = process.platform,
  allowedShares: readonly string[] = [], host: PlanHost = {}): PlanResult {
  // An older sidecar queued our restores as hyperv_restore.
  if (command.type !== RESTORE_COMMAND_TYPE && command.type !== LEGACY_RESTORE_COMMAND_TYPE) return refuse(`unsupported command type "${command.type}"`);
  const parsed = validateHypervRestorePayload(command.payload);
  if (!parsed.ok) return refuse(`invalid restore payload: ${parsed.message}`);
  const payload = parsed.value;
  if (payload.restore_run_id !== command.run_id) return refuse('invalid restore payload: restore_run_id does not match the command\'s run');
  const target = checkTarget(payload.target_path, payload.vm_name, platform, host);
  if (!target.ok) return refuse(target.message);
  const share = shareOf(target.path);
  if (share && !allowedShares.some((allowed) => allowed.toLowerCase() === share.toLowerCase())) {
    return refuse(`target_path ${target.path} is on the share ${share}, which this agent may not write to (an administrator can add it to allowed_shares in the agent's configuration)`);
  }
  const hostTarget = mapTargetPath(target.path, pathMap, platform);
  if (!hostTarget) return refuse(`target_path ${target.path} is not on a drive or share this agent may write to`);
  // A mapped drive may hold the work folder under another name than Windows would give it: checked on the host too.
  if (host.workDir && insideFolder(hostTarget, host.workDir)) {
    return refuse(workFolderRefusal(payload.vm_name));
  }
  const disks: PlannedDisk[] = [];
  for (const [sourcePath, manifestId] of Object.entries(payload.disk_manifests)) {
    const disk = diskOf(sourcePath, manifestId, hostTarget, target.path);
    if (typeof disk === 'string') return refuse(disk);
    if (disks.some((d) => d.fileName.toLowerCase() === disk.fileName.toLowerCase())) {
      return refuse(`two selected disks have the same file name "${disk.fileName}"; restore them separately`);
    }
    disks.push(disk);
  }
  return { ok: true, plan: { runId: command.run_id, vmName: payload.vm_name, targetPath: target.path, hostTarget, disks } };
}
