// The key two restore targets are compared by: Windows paths compare case-insensitively and a trailing backslash
// does not make another folder. Pure: the sidecar stores it with each restore, the schema step backfills it.

export const TARGET_KEY_MAX_LENGTH = 255;

export function targetKey(path: string): string {
  return path.replace(/\\+$/, '').toLowerCase().slice(0, TARGET_KEY_MAX_LENGTH);
}
