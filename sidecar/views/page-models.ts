// Service data -> the view models the templates render. Everything a template prints goes through here or
// through an escaping Handlebars expression; nothing is pre-rendered as HTML.
import { suggestedTargetPath } from '../lib/target-path.js';
import type { Links } from './links.js';
import { themeClasses, type PageTheme } from './theme-classes.js';
import { RUN_STATUS_LABELS, RUN_STATUS_TONES, statusBadge } from './run-labels.js';
import type { RestoreHost } from '../services/restore-hosts.js';
import type { RestoreSummary, VmHistory, WizardHistory } from '../services/restore-history.js';
import type { getRun } from '../services/runs.js';
import type { listVms } from '../services/vms.js';

export type ListedVm = Awaited<ReturnType<typeof listVms>>[number];
export type RunView = Awaited<ReturnType<typeof getRun>>;

export interface Frame {
  mode: string;
  apiBase: string;
  css: string;
  scripts: string[];
  /** The look (theme-classes.ts) and its classes per part; pages.ts sets the theme the bridge asked for. */
  theme: PageTheme;
  ui: Record<string, string>;
}

export function withTheme<M extends { frame: Frame }>(model: M, theme: PageTheme): M {
  return { ...model, frame: { ...model.frame, theme, ui: themeClasses(theme) } };
}

export function frameFor(links: Links, pageScript?: string): Frame {
  const scripts = [links.asset('scripts/api.js')];
  // Alpine last: it starts as soon as it runs, and the page components register on its alpine:init event.
  // A page without a component (the VM list) needs no Alpine at all.
  if (pageScript) scripts.push(links.asset(pageScript), links.asset('vendor/alpine.min.js'));
  return { mode: links.mode, apiBase: links.apiBase, css: links.asset('styles/restore.css'), scripts, theme: 'own', ui: themeClasses('own') };
}

function diskName(path: string): string {
  return path.split(/[\\/]/).pop() || path;
}

function vmState(vm: ListedVm): { label: string; tone: string } {
  if (!vm.latest_backup_point) return { label: 'No backups yet', tone: 'neutral' };
  if (!vm.backup_enabled) return { label: 'Backups paused', tone: 'warn' };
  return { label: 'Protected', tone: 'ok' };
}

function vmDisks(vm: ListedVm) {
  return vm.disks.map((d) => ({ path: d.disk_path, name: d.disk_name || diskName(d.disk_path), sizeBytes: d.size_bytes, format: d.derived ? null : d.vhd_format }));
}

/** One earlier restore as the VM list shows it: when, which point, where, how it ended, and its live page. */
function historyEntry(s: RestoreSummary, links: Links) {
  return {
    id: s.id, createdAt: s.createdAt, pointType: s.backupType, pointCreatedAt: s.pointCreatedAt, targetPath: s.targetPath,
    status: statusBadge(s.status), liveUrl: links.page('live', { run_id: s.id }),
  };
}

export function vmListModel(vms: ListedVm[], links: Links, history: Map<number, VmHistory> = new Map()) {
  const jobs = new Map<number, { id: number; name: string; vms: unknown[] }>();
  for (const vm of [...vms].sort((a, b) => a.job_name.localeCompare(b.job_name) || a.job_id - b.job_id)) {
    const job = jobs.get(vm.job_id) ?? { id: vm.job_id, name: vm.job_name, vms: [] };
    jobs.set(vm.job_id, job);
    const latest = vm.latest_backup_point;
    job.vms.push({
      id: vm.id, name: vm.vm_name, guid: vm.vm_guid, generation: vm.generation, state: vmState(vm), disks: vmDisks(vm),
      latest: latest ? { createdAt: latest.created_at, type: latest.backup_type } : null,
      pointCount: vm.backup_point_count,
      restoreUrl: latest ? links.page('hyperv-restore', { vm_id: vm.id }) : null,
      running: runningOf(history.get(vm.id), links),
      recent: (history.get(vm.id)?.recent ?? []).map((s) => historyEntry(s, links)),
    });
  }
  return { title: 'Hyper-V VMs', frame: frameFor(links), jobs: [...jobs.values()] };
}

function runningOf(history: VmHistory | undefined, links: Links) {
  return history?.running ? { ...historyEntry(history.running, links), label: statusBadge(history.running.status).label } : null;
}

/** A host as the wizard offers it: its name (never its id), whether it is online, when it was last seen. */
function hostChoice(h: RestoreHost) {
  return { agentId: h.agentId, name: h.hostname ?? 'Unnamed host', online: h.online, lastSeenAt: h.lastSeenAt, jobAgent: h.jobAgent };
}

export function wizardModel(vm: ListedVm, links: Links, history: WizardHistory = { active: [], leftOnHost: [], hosts: [] }) {
  const disks = vmDisks(vm);
  return {
    title: `Restore ${vm.vm_name}`,
    frame: frameFor(links, 'scripts/restore-wizard.js'),
    backUrl: links.page('hyperv'),
    vm: { name: vm.vm_name, jobName: vm.job_name, diskCount: disks.length },
    config: {
      vmId: vm.id,
      vmName: vm.vm_name,
      defaultTargetPath: suggestedTargetPath(vm.vm_name),
      disks: disks.map((d) => ({ path: d.path, sizeBytes: d.sizeBytes })),
      liveUrl: links.page('live', { run_id: '__RUN__' }).replace(encodeURIComponent('__RUN__'), '__RUN__'),
      hosts: history.hosts.map(hostChoice),
      // The job's agent when it is active, else the first host offered; none: the server says why on start.
      defaultAgentId: history.hosts[0]?.agentId ?? null,
      active: history.active.map((s) => ({ id: s.id, agentId: s.agentId, targetPath: s.targetPath, liveUrl: links.page('live', { run_id: s.id }) })),
      earlier: history.leftOnHost.map((s) => ({
        id: s.id, agentId: s.agentId, targetPath: s.targetPath, files: s.restoredFiles, finishedAt: s.finishedAt, liveUrl: links.page('live', { run_id: s.id }),
      })),
    },
  };
}

function text(value: unknown): string | null {
  return typeof value === 'string' && value !== '' ? value : null;
}

/** `emailNotice`: the customer will get the restore-finished e-mail (the module setting is on). */
export function liveModel(run: RunView, links: Links, emailNotice = false) {
  const s = run.stats;
  const disks = Array.isArray(s.disks) ? s.disks : [];
  const view = {
    vmName: text(s.vm_name) ?? 'VM',
    targetPath: text(s.target_path) ?? '',
    diskCount: Number(s.disk_count ?? disks.length),
    backupType: text(s.backup_type) ?? 'selected',
    status: run.status,
  };
  return {
    title: `Restore of ${view.vmName}`,
    frame: frameFor(links, 'scripts/live-run.js'),
    backUrl: links.page('hyperv'),
    run: view,
    emailNotice: emailNotice && !run.is_finished,
    config: {
      runId: String(run.id), run, labels: RUN_STATUS_LABELS, tones: RUN_STATUS_TONES,
      retryUrl: typeof s.vm_id === 'number' ? links.page('hyperv-restore', { vm_id: s.vm_id }) : links.page('hyperv'),
    },
  };
}

export function notFoundModel(links: Links, title: string, message: string) {
  return { title, frame: frameFor(links), notFound: { title, message, backUrl: links.page('hyperv') } };
}
