// Service data -> the view models the templates render. Everything a template prints goes through here or
// through an escaping Handlebars expression; nothing is pre-rendered as HTML.
import { validateTargetPath } from '../lib/target-path.js';
import type { Links } from './links.js';
import type { PageRun, PageVm } from './page-data.js';

export interface Frame {
  mode: string;
  apiBase: string;
  css: string;
  scripts: string[];
}

export function frameFor(links: Links, pageScript?: string): Frame {
  const scripts = [links.asset('scripts/api.js')];
  if (pageScript) scripts.push(links.asset(pageScript));
  // Alpine last: it starts as soon as it runs, and the page components register on its alpine:init event.
  scripts.push(links.asset('vendor/alpine.min.js'));
  return { mode: links.mode, apiBase: links.apiBase, css: links.asset('styles/restore.css'), scripts };
}

function diskName(path: string): string {
  return path.split(/[\\/]/).pop() || path;
}

function vmState(vm: PageVm): { label: string; tone: string } {
  if (!vm.latest) return { label: 'No backups yet', tone: 'neutral' };
  if (!vm.backupEnabled) return { label: 'Backups paused', tone: 'warn' };
  return { label: 'Protected', tone: 'ok' };
}

export function vmListModel(vms: PageVm[], links: Links) {
  const jobs = new Map<number, { id: number; name: string; vms: unknown[] }>();
  for (const vm of vms) {
    const job = jobs.get(vm.jobId) ?? { id: vm.jobId, name: vm.jobName, vms: [] };
    jobs.set(vm.jobId, job);
    job.vms.push({
      id: vm.id, name: vm.name, guid: vm.guid, generation: vm.generation, state: vmState(vm),
      disks: vm.disks.map((d) => ({ ...d, name: diskName(d.path) })),
      latest: vm.latest,
      restoreUrl: vm.latest ? links.page('hyperv-restore', { vm_id: vm.id }) : null,
    });
  }
  return { title: 'Hyper-V VMs', frame: frameFor(links), jobs: [...jobs.values()] };
}

/** A sensible first suggestion for the target folder, which the user will usually adjust. */
export function defaultTargetPath(vmName: string): string {
  const cleaned = vmName.replace(/[<>:"/\\|?*\p{Cc}]/gu, '').replace(/[. ]+$/, '').trim().slice(0, 64);
  const candidate = `C:\\Restores\\${cleaned}`;
  return cleaned && validateTargetPath(candidate).ok ? candidate : 'C:\\Restores';
}

export function wizardModel(vm: PageVm, links: Links) {
  return {
    title: `Restore ${vm.name}`,
    frame: frameFor(links, 'scripts/restore-wizard.js'),
    backUrl: links.page('hyperv'),
    vm: { name: vm.name, jobName: vm.jobName, diskCount: vm.disks.length },
    config: {
      vmId: vm.id,
      defaultTargetPath: defaultTargetPath(vm.name),
      disks: vm.disks.map((d) => ({ path: d.path, sizeBytes: d.sizeBytes })),
      liveUrl: links.page('live', { run_id: '__RUN__' }).replace(encodeURIComponent('__RUN__'), '__RUN__'),
    },
  };
}

function text(value: unknown): string | null {
  return typeof value === 'string' && value !== '' ? value : null;
}

export function liveModel(run: PageRun, links: Links) {
  const s = run.stats;
  const vm = (s.vm && typeof s.vm === 'object' ? s.vm : {}) as Record<string, unknown>;
  const disks = Array.isArray(s.disks) ? s.disks : [];
  const view = {
    vmName: text(s.vm_name) ?? text(vm.name) ?? text(vm.vm_name) ?? 'VM',
    targetPath: text(s.target_path) ?? text(s.target) ?? '',
    diskCount: Number(s.disk_count ?? disks.length),
    backupType: text(s.backup_type) ?? 'selected',
    status: run.status,
  };
  return {
    title: `Restore of ${view.vmName}`,
    frame: frameFor(links, 'scripts/live-run.js'),
    backUrl: links.page('hyperv'),
    run: view,
    config: { runId: run.uuid ?? String(run.id), run: { id: run.id, status: run.status, stats: s, target_path: view.targetPath } },
  };
}

export function notFoundModel(links: Links, title: string, message: string) {
  return { title, frame: frameFor(links), notFound: { title, message, backUrl: links.page('hyperv') } };
}
