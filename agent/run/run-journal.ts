// A small file per run in the agent's work folder: which disks this run started and which it finished. An agent
// killed mid-restore (SIGKILL, power loss) cannot clean up; when it starts again and resumes the run, the journal
// tells it which `.partial` files are its own leftovers (deleted) and which finished disks to keep (not redone).
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

interface JournalState {
  started: string[];
  done: string[];
}

export class RunJournal {
  private constructor(private readonly file: string, private readonly state: JournalState) {}

  /** A resumed run reads what an earlier process wrote; a new run starts empty. */
  static async open(workDir: string, runId: number, resumed: boolean): Promise<RunJournal> {
    const dir = join(workDir, `run-${runId}`);
    await mkdir(dir, { recursive: true, mode: 0o700 });
    const file = join(dir, 'journal.json');
    const state: JournalState = { started: [], done: [] };
    if (resumed) {
      try {
        const saved = JSON.parse(await readFile(file, 'utf8')) as Partial<JournalState>;
        state.started = Array.isArray(saved.started) ? saved.started.filter((s) => typeof s === 'string') : [];
        state.done = Array.isArray(saved.done) ? saved.done.filter((s) => typeof s === 'string') : [];
      } catch {
        // No journal (it crashed before the first disk, or the folder was cleared): nothing of ours on disk.
      }
    }
    return new RunJournal(file, state);
  }

  wasStarted(hostFile: string): boolean {
    return this.state.started.includes(hostFile);
  }

  isDone(hostFile: string): boolean {
    return this.state.done.includes(hostFile);
  }

  /**
   * Written once this run has created the disk's `.partial` exclusively, before a byte goes into it: a crash later
   * leaves a leftover known to be ours. A `.partial` that was already there is never recorded, so never deleted.
   */
  async markStarted(hostFile: string): Promise<void> {
    if (!this.wasStarted(hostFile)) this.state.started.push(hostFile);
    await this.save();
  }

  async markDone(hostFile: string): Promise<void> {
    if (!this.isDone(hostFile)) this.state.done.push(hostFile);
    await this.save();
  }

  async remove(): Promise<void> {
    await rm(this.file, { force: true });
  }

  // Write then rename: a crash mid-write leaves the previous journal, never half a file.
  private async save(): Promise<void> {
    await writeFile(`${this.file}.tmp`, JSON.stringify(this.state), { mode: 0o600 });
    await rename(`${this.file}.tmp`, this.file);
  }
}
