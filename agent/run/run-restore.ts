// One hyperv_restore command, start to end: re-validate the payload, open the repository, restore each selected
// disk in turn (a failed disk does not stop the others), report progress and the catalogue's events, and always
// finish the run: verdict.ts decides success, warning (some disks failed), failed (all failed or nothing could
// start) or cancelled; conclude-run.ts adds the closing event and delivers the finish.
import { mkdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { coerceError } from '../../sidecar/lib/errors.js';
import type { Logger } from '../../sidecar/lib/log.js';
import type { SecretList } from '../../sidecar/lib/secret-list.js';
import type { ClaimedCommand, FinalStatus } from '../../sidecar/schemas/agent.js';
import type { AgentConfig } from '../config.js';
import { removePartial } from '../engine/partial-file.js';
import { RestoreError, type RepositoryOptions, type RepositorySession } from '../engine/types.js';
import type { AgentPlatform } from '../platform/platform.js';
import type { SidecarClient } from '../sidecar-client.js';
import { commandConnection, type CommandConnection } from './command-repository.js';
import { concludeRun } from './conclude-run.js';
import { deliverFinish } from './deliver-finish.js';
import { EventOutbox } from './event-outbox.js';
import { describeFailure, STORAGE_UNREADABLE } from './failure-text.js';
import { RestoreReporter } from './reporter.js';
import { planRestore, type PlannedDisk, type RestorePlan } from './restore-plan.js';
import { RunJournal } from './run-journal.js';
import { existingTargetProblems, snapshotSpaceProblem } from './target-check.js';
import { refusalOfDisk, verdict, type DiskOutcome, type NothingStarted, type RunOutcome, type StopReason } from './verdict.js';

export interface RestoreDeps {
  config: Readonly<AgentConfig>;
  client: SidecarClient;
  log: Logger;
  openRepository(options: RepositoryOptions): Promise<RepositorySession>;
  /** Aborted when the agent shuts down. */
  stopSignal: AbortSignal;
  platform: AgentPlatform;
  /** Where a command's repository secrets go before anything is sent, so the client scrubs them from request bodies. */
  secrets?: SecretList;
}

const nothingStarted = (message: string): NothingStarted => ({ message, detail: message });

/** `resumed`: this agent had the command in hand before it restarted (crash): finished disks are kept. */
export async function runRestore(deps: RestoreDeps, command: ClaimedCommand, { resumed = false } = {}): Promise<FinalStatus | null> {
  const connection = commandConnection(command, deps.config);
  if (typeof connection !== 'string') {
    deps.secrets?.add(...connection.secrets);
    // Kept masked after the run too: a late retry or a resumed run may still quote them.
    for (const secret of connection.secrets) deps.log.addSecret(secret);
  }
  const log = deps.log.child({ runId: command.run_id, commandId: command.command_id });
  const outbox = new EventOutbox(deps.client, command.run_id, log);
  const refuse = async (message: string): Promise<FinalStatus> => {
    log.warn('restore command refused', { reason: message });
    outbox.add('HYPERV_RESTORE_FAILED', { message });
    await deliverFinish(deps.client, outbox, command.run_id, { status: 'failed', message }, log);
    return 'failed';
  };
  const platform = deps.platform.name === 'win32' ? 'win32' : 'linux';
  const planned = planRestore(command, deps.config.pathMap, platform, deps.config.allowedShares,
    { workDir: deps.config.workDir, systemDrive: platform === 'win32' ? process.env.SystemDrive : undefined });
  if (!planned.ok) return refuse(planned.message);
  if (typeof connection === 'string') return refuse(connection);
  return new RestoreRun(deps, planned.plan, connection, outbox, log, resumed).execute();
}

class RestoreRun {
  private readonly cancel = new AbortController();
  private stopReason: StopReason | null = null;
  private readonly reporter: RestoreReporter;
  private journal: RunJournal | null = null;

  constructor(private readonly deps: RestoreDeps, private readonly plan: RestorePlan, private readonly connection: CommandConnection,
    private readonly outbox: EventOutbox, private readonly log: Logger, private readonly resumed: boolean) {
    this.reporter = new RestoreReporter({
      client: deps.client, outbox, runId: plan.runId, log,
      disks: plan.disks.map((d) => ({ name: d.fileName, path: d.sourcePath })),
      onStop: (reason) => this.stop(reason),
    });
  }

  private stop(reason: StopReason): void {
    if (this.stopReason) return;
    this.stopReason = reason;
    this.log.info('stopping the restore', { reason });
    this.cancel.abort();
  }

  async execute(): Promise<FinalStatus | null> {
    const onAgentStop = () => this.stop('agent-stopping');
    this.deps.stopSignal.addEventListener('abort', onAgentStop, { once: true });
    const { plan } = this;
    this.outbox.add('HYPERV_RESTORE_STARTING', { vm_name: plan.vmName, disk_count: plan.disks.length, target_path: plan.targetPath });
    this.reporter.start();
    let outcomes: RunOutcome;
    try {
      outcomes = await this.restoreAll();
    } finally {
      this.deps.stopSignal.removeEventListener('abort', onAgentStop);
      await this.reporter.stop();
    }
    return this.conclude(outcomes);
  }

  /** Every disk's outcome, or why nothing could start: a refusal of the target folder, or another reason. */
  private async restoreAll(): Promise<RunOutcome> {
    const { config } = this.deps;
    try {
      this.journal = await RunJournal.open(config.workDir, this.plan.runId, this.resumed);
    } catch (thrown) {
      return nothingStarted(`cannot write to the agent's work folder: ${(thrown as NodeJS.ErrnoException).code ?? 'error'}`);
    }
    if (this.resumed) await this.cleanUpAfterRestart(this.journal);
    // Before the repository is even opened: a folder that already holds the disks fails the run in a second.
    const existing = await existingTargetProblems(this.disksToWrite());
    if (existing.length) return { refusal: existing };
    const opened = await this.openSession();
    if ('outcome' in opened) return opened.outcome;
    const { session } = opened;
    try {
      // The engine's own rule for what one disk needs (the full size on NTFS); zero chunks are not known yet.
      const toWrite = this.disksToWrite();
      // Each size known before the first byte: the overall percent and the time left count every disk, not only started ones.
      const space = await snapshotSpaceProblem(session, toWrite, { hostFolder: this.plan.hostTarget, shownFolder: this.plan.targetPath },
        (bytes) => this.deps.platform.spaceNeeded(bytes, 0), this.cancel.signal,
        (i, size) => this.reporter.setDisk(this.plan.disks.indexOf(toWrite[i]!), { bytes_total: size }));
      if (space) return { refusal: [space] };
      try {
        await mkdir(this.plan.hostTarget, { recursive: true });
      } catch (thrown) {
        return nothingStarted(`cannot create the target folder ${this.plan.targetPath}: ${(thrown as NodeJS.ErrnoException).code ?? 'error'}`);
      }
      const outcomes: DiskOutcome[] = [];
      for (let i = 0; i < this.plan.disks.length; i++) outcomes.push(await this.restoreOne(session, i));
      return outcomes;
    } finally {
      await session.close().catch((thrown: unknown) => this.log.warn('closing the repository failed', { err: thrown }));
    }
  }

  /** The command's repository, or why it cannot be read (a cancel meanwhile leaves every disk cancelled). */
  private async openSession(): Promise<{ session: RepositorySession } | { outcome: RunOutcome }> {
    const { config } = this.deps;
    const openedAt = Date.now();
    try {
      const session = await this.deps.openRepository({
        kopiaPath: config.kopiaPath, workDir: join(config.workDir, `run-${this.plan.runId}`), repository: this.connection.repository,
        password: this.connection.password, signal: this.cancel.signal, platform: this.deps.platform,
        disks: this.plan.disks.map(({ manifestId, expectedFileName }) => ({ manifestId, expectedFileName })),
      });
      this.log.info('repository open', { ms: Date.now() - openedAt, repository: this.connection.repository.type, from: this.connection.source });
      return { session };
    } catch (thrown) {
      if (this.cancel.signal.aborted) return { outcome: this.plan.disks.map(() => ({ state: 'cancelled' })) };
      // The engine's own errors already say what failed; anything else gets that context here. The customer reads
      // only that the storage could not be read: kopia's words name the repository's location.
      const detail = thrown instanceof RestoreError ? thrown.message : `Cannot open the backup repository: ${coerceError(thrown).message}`;
      this.log.warn('cannot open the repository', { detail });
      return { outcome: { message: STORAGE_UNREADABLE, detail } };
    }
  }

  /** Only a .partial this run started is ours to delete: the earlier process died before it could. */
  private async cleanUpAfterRestart(journal: RunJournal): Promise<void> {
    for (const disk of this.plan.disks) {
      if (journal.wasStarted(disk.hostFile) && !journal.isDone(disk.hostFile)) await removePartial(disk.hostFile, this.deps.platform);
    }
    this.log.warn('resuming a restore this agent had in hand before it restarted');
    this.outbox.add('HYPERV_RESTORE_NOTICE', { code: 'AGENT_RESTARTED', message: 'The agent restarted during this restore and takes it up again: finished disks are kept, unfinished ones start over' });
  }

  /** Each disk still to be written shows why it was not: its own sentence, or the one about the whole folder. */
  private markRefused(refusal: readonly string[]): void {
    const toWrite = new Set(this.disksToWrite());
    this.plan.disks.forEach((disk, index) => {
      if (toWrite.has(disk)) this.reporter.setDisk(index, { status: 'failed', message: refusalOfDisk(disk.shownFile, refusal) });
    });
  }

  /** The disks still to be written: a resumed run keeps (and does not check) the ones it already finished. */
  private disksToWrite(): PlannedDisk[] {
    return this.plan.disks.filter((d) => !(this.resumed && this.journal?.isDone(d.hostFile)));
  }

  /**
   * Heartbeats learn of a cancel within a second; this closes that window for the disk about to appear: a cancel the
   * sidecar has accepted never leaves a new disk behind. An unreachable sidecar keeps the disk (nothing to undo).
   */
  private async confirmNotCancelled(): Promise<void> {
    const state = await this.deps.client.runState(this.plan.runId, { retries: 0 }).catch(() => null);
    if (state?.cancel_requested) this.stop('cancel');
  }

  private async restoreOne(session: RepositorySession, index: number): Promise<DiskOutcome> {
    const disk = this.plan.disks[index]!;
    const total = this.plan.disks.length;
    if (this.cancel.signal.aborted) return this.markCancelled(index);
    const journal = this.journal!;
    if (this.resumed && journal.isDone(disk.hostFile) && (await this.keptFromBefore(index))) return { state: 'done' };
    this.outbox.add('HYPERV_RESTORE_DISK_STARTING', { disk_index: index + 1, total_disks: total, disk_name: disk.fileName });
    this.reporter.current = `Disk ${index + 1}/${total}: ${disk.fileName}`;
    this.reporter.setDisk(index, { status: 'running' });
    const startedAt = Date.now();
    try {
      const result = await session.restoreDisk({
        manifestId: disk.manifestId, expectedFileName: disk.expectedFileName, targetFile: disk.hostFile,
        parallelism: this.deps.config.parallelism, signal: this.cancel.signal,
        onProgress: this.reporter.progressOf(index),
        onNotice: (notice) => this.outbox.add('HYPERV_RESTORE_NOTICE', { code: notice.code, message: notice.message, disk_name: disk.fileName }),
        beforeCommit: () => this.confirmNotCancelled(),
        // Only a .partial this run created is ever its to delete on resume: a foreign one fails the disk untouched.
        onPartialCreated: () => journal.markStarted(disk.hostFile),
      });
      await journal.markDone(disk.hostFile);
      this.log.info('disk restored', { disk: disk.fileName, ms: Date.now() - startedAt, ...result });
      this.reporter.setDisk(index, { status: 'done', bytes_total: result.bytesTotal, bytes_done: result.bytesTotal });
    } catch (thrown) {
      if (this.cancel.signal.aborted) return this.markCancelled(index);
      const { message, detail } = describeFailure(thrown, this.plan);
      this.log.warn('disk failed', { disk: disk.fileName, detail });
      this.reporter.setDisk(index, { status: 'failed', message });
      this.outbox.add('HYPERV_RESTORE_DISK_FAILED', { disk_name: disk.fileName, disk_index: index + 1, total_disks: total, message, detail: detail.slice(0, 2000) });
      return { state: 'failed', message };
    }
    this.addDiskComplete(index);
    return { state: 'done' };
  }

  /** A disk the earlier process finished counts as done while its file is still there. */
  private async keptFromBefore(index: number): Promise<boolean> {
    const kept = await stat(this.plan.disks[index]!.hostFile).catch(() => null);
    if (!kept) return false;
    this.reporter.setDisk(index, { status: 'done', bytes_total: kept.size, bytes_done: kept.size });
    // The kill may have come between the journal and the delivery of this event: sent again, stored once.
    this.addDiskComplete(index);
    return true;
  }

  private addDiskComplete(index: number): void {
    const disk = this.plan.disks[index]!;
    const params = { disk_name: disk.fileName, disk_index: index + 1, total_disks: this.plan.disks.length };
    this.outbox.add('HYPERV_RESTORE_DISK_COMPLETE', params, undefined, `disk-complete-${index + 1}`);
  }

  private markCancelled(index: number): DiskOutcome {
    this.reporter.setDisk(index, { status: 'cancelled' });
    return { state: 'cancelled' };
  }

  private async conclude(outcomes: RunOutcome): Promise<FinalStatus | null> {
    if (this.stopReason === 'run-finished') return null; // the sidecar already ended the run (watchdog, cancel)
    const result = verdict(outcomes, { stopReason: this.stopReason, diskNames: this.plan.disks.map((d) => d.fileName), targetPath: this.plan.targetPath });
    if (result.ending.kind === 'refused') this.markRefused(result.ending.refusal);
    const { outbox, reporter, journal, log } = this;
    return concludeRun({ client: this.deps.client, outbox, reporter, journal, runId: this.plan.runId, log }, result);
  }
}
