// The key two restore targets are compared by: Windows paths compare case-insensitively, a trailing backslash does
// not make another folder, and the host's own drives reached through its administrative shares are those drives.
// Pure: the sidecar stores it with each restore, the schema step backfills it.

export const TARGET_KEY_MAX_LENGTH = 255;

export function targetKey(path: string): string {
  return hostDriveOf(path.replace(/\\+$/, '').toLowerCase()).slice(0, TARGET_KEY_MAX_LENGTH);
}

// The host itself seen through its administrative shares: \\localhost\c$\X and \\127.0.0.1\C$\X are C:\X. Other
// names of the host (its own name, its other addresses) only the host knows: those stay as written.
const LOOPBACK_ADMIN_SHARE = /^\\\\(?:localhost|127\.\d{1,3}\.\d{1,3}\.\d{1,3}|0--1\.ipv6-literal\.net)\\([a-z])\$(?=\\|$)/;

/** A lower-cased path with a loopback administrative share written as the drive it stands for. */
function hostDriveOf(lower: string): string {
  return lower.replace(LOOPBACK_ADMIN_SHARE, '$1:');
}
