// Real VHDX disks for tests and the demo, made and checked with Debian's qemu-utils (qemu-img, qemu-io).
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

export type VhdxKind = 'dynamic' | 'fixed';

/** A guest write: `pattern` byte repeated over [offset, offset+length) of the virtual disk; 0 zeroes it again. */
export interface GuestWrite {
  offset: number;
  length: number;
  pattern: number;
}

export async function createVhdx(file: string, virtualSize: number, kind: VhdxKind): Promise<void> {
  const options = kind === 'fixed' ? ['-o', 'subformat=fixed'] : ['-o', 'subformat=dynamic'];
  await run('qemu-img', ['create', '-q', '-f', 'vhdx', ...options, file, String(virtualSize)]);
}

/** Applies guest writes in one qemu-io run (pattern 0 writes zeroes through the guest, as a wipe would). */
export async function writeGuest(file: string, writes: GuestWrite[]): Promise<void> {
  if (!writes.length) return;
  const commands = writes.flatMap((w) => ['-c', w.pattern === 0 ? `write -z ${w.offset} ${w.length}` : `write -P ${w.pattern} ${w.offset} ${w.length}`]);
  await run('qemu-io', ['-f', 'vhdx', ...commands, file], { maxBuffer: 16 * 1024 * 1024 });
}

export async function checkVhdx(file: string): Promise<{ ok: boolean; output: string }> {
  try {
    const { stdout, stderr } = await run('qemu-img', ['check', '-f', 'vhdx', file]);
    return { ok: /No errors were found/.test(stdout), output: stdout + stderr };
  } catch (thrown) {
    const err = thrown as { stdout?: string; stderr?: string; message: string };
    return { ok: false, output: `${err.stdout ?? ''}${err.stderr ?? ''}${err.message}` };
  }
}

/** Whether two VHDX files hold the same guest content (qemu-img compare reads through the container). */
export async function sameGuestContent(a: string, b: string): Promise<boolean> {
  try {
    await run('qemu-img', ['compare', '-q', '-f', 'vhdx', '-F', 'vhdx', a, b]);
    return true;
  } catch {
    return false;
  }
}
