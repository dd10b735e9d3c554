// The agent's own check of a hyperv_restore payload: it never trusts the server with a path.
import assert from 'node:assert/strict';
import { mapTargetPath, planRestore } from '../../agent/run/restore-plan.js';
import type { ClaimedCommand } from '../../sidecar/schemas/agent.js';
import { systemFolderPaths, workFolderMessage } from '../helpers/target-paths.js';

const MANIFEST = '0123456789abcdef0123456789abcdef';
const MAP = { 'C:\\': '/srv/hosts/c', 'D:\\Data': '/srv/hosts/data' };

function command(payload: Record<string, unknown>, overrides: Partial<ClaimedCommand> = {}): ClaimedCommand {
  return {
    command_id: 1, type: 'hyperv_restore', run_id: 42, run_uuid: null,
    payload: {
      backup_point_id: 3, vm_name: 'web01', vm_guid: 'guid', target_path: 'C:\\Restored\\web01', backup_type: 'Full',
      disk_manifests: { 'C:\\VMs\\web01\\disk0.vhdx': MANIFEST, 'C:\\VMs\\web01\\data.vhdx': MANIFEST.replace('0', 'f') },
      restore_chain: [], restore_run_id: 42, restore_run_uuid: null, ...payload,
    },
    ...overrides,
  };
}

describe('Restore payload (agent side)', function () {
  it('Can plan a valid payload: mapped target, one file per disk, the expected snapshot names', () => {
    const result = planRestore(command({}), MAP, 'linux');
    assert.ok(result.ok);
    assert.equal(result.plan.hostTarget, '/srv/hosts/c/Restored/web01');
    assert.deepEqual(result.plan.disks.map((d) => [d.fileName, d.expectedFileName, d.hostFile]), [
      ['disk0.vhdx', 'disk0.vhdx', '/srv/hosts/c/Restored/web01/disk0.vhdx'],
      ['data.vhdx', 'data.vhdx', '/srv/hosts/c/Restored/web01/data.vhdx'],
    ]);
  });

  it('Can plan a restore to a network share (UNC) that allowed_shares lists, whatever its case', () => {
    const result = planRestore(command({ target_path: '\\\\nas01\\restores\\web01' }), { ...MAP, '\\\\nas01\\restores': '/srv/hosts/nas' }, 'linux', ['\\\\NAS01\\Restores']);
    assert.ok(result.ok);
    assert.equal(result.plan.hostTarget, '/srv/hosts/nas/web01');
    assert.equal(result.plan.disks[0].hostFile, '/srv/hosts/nas/web01/disk0.vhdx');
  });

  it('Rejects a UNC target on a share allowed_shares does not list, on Windows too, even beside an allowed one', () => {
    const target = '\\\\nas01\\other\\web01';
    assert.deepEqual(planRestore(command({ target_path: target }), {}, 'win32', ['\\\\nas01\\restores']), {
      ok: false,
      message: 'target_path \\\\nas01\\other\\web01 is on the share \\\\nas01\\other, which this agent may not write to (an administrator can add it to allowed_shares in the agent\'s configuration)',
    });
    const allowed = planRestore(command({ target_path: '\\\\nas01\\restores\\web01' }), {}, 'win32', ['\\\\nas01\\restores']);
    assert.ok(allowed.ok);
    assert.equal(allowed.plan.hostTarget, '\\\\nas01\\restores\\web01');
  });

  const refusals: [string, ClaimedCommand, string][] = [
    ['path traversal', command({ target_path: 'C:\\Restored\\..\\..\\web01' }), 'target_path must not contain "." or ".." segments'],
    ['a relative path', command({ target_path: 'Restored\\web01' }), 'target_path must be an absolute Windows path (C:\\...) or a UNC path (\\\\server\\share\\...)'],
    ['a POSIX path', command({ target_path: '/etc/cron.d' }), 'target_path must use backslashes (\\), not forward slashes'],
    ['a share allowed_shares does not list', command({ target_path: '\\\\evil\\share\\x' }),
      'target_path \\\\evil\\share\\x is on the share \\\\evil\\share, which this agent may not write to (an administrator can add it to allowed_shares in the agent\'s configuration)'],
    ['a reserved device name', command({ target_path: 'C:\\Restored\\CON' }), 'target_path uses a name Windows reserves for devices: "CON"'],
    ['an unmapped drive', command({ target_path: 'E:\\Restored' }), 'target_path E:\\Restored is not on a drive or share this agent may write to'],
    ['an unknown field', command({ run_as: 'SYSTEM' }), 'invalid restore payload: payload.run_as is not allowed'],
    ['a wrong type', command({ backup_point_id: '3' }), 'invalid restore payload: payload.backup_point_id must be integer'],
    ['a target path that is not a string', command({ target_path: ['C:\\x'] }), 'invalid restore payload: payload.target_path must be string'],
    ['a manifest id that could be a flag', command({ disk_manifests: { 'C:\\VMs\\a.vhdx': '--config-file=/etc/x' } }), 'invalid restore payload: payload.disk_manifests.C:\\VMs\\a.vhdx has an invalid format'],
    ['no disks', command({ disk_manifests: {} }), 'invalid restore payload: payload.disk_manifests must NOT have fewer than 1 properties'],
    ['a disk file name with traversal', command({ disk_manifests: { 'C:\\VMs\\..\\x.vhdx': MANIFEST } }), 'disk path "C:\\VMs\\..\\x.vhdx" is not a valid Windows path'],
    ['a disk that is not a virtual disk', command({ disk_manifests: { 'C:\\Windows\\System32\\config\\SAM': MANIFEST } }), 'disk path "C:\\Windows\\System32\\config\\SAM" does not name a .vhdx, .vhd or .avhdx file'],
    ['two disks with one file name', command({ disk_manifests: { 'C:\\A\\d.vhdx': MANIFEST, 'C:\\B\\D.VHDX': MANIFEST } }), 'two selected disks have the same file name "D.VHDX"; restore them separately'],
    ['a payload for another run', command({ restore_run_id: 43 }), 'invalid restore payload: restore_run_id does not match the command\'s run'],
    ['a payload that is not an object', command({}, { payload: 'not json' }), 'invalid restore payload: payload must be object'],
    ['another command type', command({}, { type: 'maintenance_full' }), 'unsupported command type "maintenance_full"'],
  ];
  for (const [what, cmd, message] of refusals) {
    it(`Rejects ${what}`, () => {
      assert.deepEqual(planRestore(cmd, MAP, 'linux'), { ok: false, message });
    });
  }

  it('Can map paths by the longest prefix, case-insensitively, and only on the mapped drives', () => {
    assert.equal(mapTargetPath('D:\\Data\\vm', MAP, 'linux'), '/srv/hosts/data/vm');
    assert.equal(mapTargetPath('d:\\data', MAP, 'linux'), '/srv/hosts/data');
    assert.equal(mapTargetPath('D:\\DataX\\vm', MAP, 'linux'), null);
    assert.equal(mapTargetPath('c:\\x', MAP, 'linux'), '/srv/hosts/c/x');
    assert.equal(mapTargetPath('E:\\x', {}, 'win32'), 'E:\\x');
    assert.equal(mapTargetPath('E:\\x', {}, 'linux'), null);
  });

  for (const [path, message] of systemFolderPaths('web01')) {
    it(`Rejects the system folder ${JSON.stringify(path)} before mapping it`, () => {
      assert.deepEqual(planRestore(command({ target_path: path }), { ...MAP, 'D:\\': '/srv/hosts/d', '\\\\hv01\\c$': '/srv/hosts/c' }, 'linux'), { ok: false, message });
    });
  }

  it('Rejects a target inside its own work folder, by its Windows name and by the mapped folder', () => {
    const win = planRestore(command({ target_path: 'E:\\Agent\\Work\\x' }), {}, 'win32', [], { workDir: 'E:\\agent\\work' });
    assert.deepEqual(win, { ok: false, message: workFolderMessage('web01') });
    const mapped = planRestore(command({ target_path: 'C:\\Restored\\state' }), MAP, 'linux', [], { workDir: '/srv/hosts/c/Restored' });
    assert.deepEqual(mapped, { ok: false, message: workFolderMessage('web01') });
    assert.equal(planRestore(command({}), MAP, 'linux', [], { workDir: '/srv/agent' }).ok, true);
  });

  it('Can restore disks that lived in Hyper-V\'s default folder under ProgramData\\Microsoft', () => {
    const planned = planRestore(command({ disk_manifests: { 'C:\\ProgramData\\Microsoft\\Windows\\Virtual Hard Disks\\web01.vhdx': MANIFEST } }), MAP, 'linux');
    assert.ok(planned.ok);
    assert.equal(planned.plan.disks[0]!.shownFile, 'C:\\Restored\\web01\\web01.vhdx');
  });

  it('Rejects the root of the host\'s system drive, whichever drive that is', () => {
    const planned = planRestore(command({ target_path: 'D:\\' }), {}, 'win32', [], { systemDrive: 'D:' });
    assert.ok(!planned.ok);
    assert.match(planned.message, /^target_path is the root of the system drive \(D:\\\)/);
    assert.equal(planRestore(command({ target_path: 'D:\\' }), {}, 'win32', [], { systemDrive: 'C:' }).ok, true);
  });
});
