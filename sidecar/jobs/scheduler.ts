// node-cron wrapper: every periodic job runs through a database lease, so one instance in the cluster runs it.
import cron, { type ScheduledTask } from 'node-cron';
import type { Knex } from 'knex';
import { INSTANCE_ID, runExclusive } from '../db/lease.js';
import { coerceError } from '../lib/errors.js';
import type { Logger } from '../lib/log.js';

export interface PeriodicJob {
  name: string;
  cron: string;
  /** How long the lease is held at most, in case the instance dies mid-run. */
  leaseSeconds: number;
  run(): Promise<void>;
}

export interface Scheduler {
  stop(): Promise<void>;
}

/** `holder` names this instance in the lease table (tests run two instances in one process). */
export function startScheduler(db: Knex, log: Logger, jobs: PeriodicJob[], holder: string = INSTANCE_ID): Scheduler {
  const tasks: ScheduledTask[] = [];
  const running = new Set<Promise<unknown>>();
  for (const job of jobs) {
    const jobLog = log.child({ job: job.name });
    const task = cron.schedule(job.cron, () => {
      const work = runExclusive(db, `job:${job.name}`, job.leaseSeconds, job.run, holder)
        .catch((thrown) => jobLog.error('periodic job failed', { err: coerceError(thrown) }))
        .finally(() => running.delete(work));
      running.add(work);
    }, { noOverlap: true, name: job.name });
    tasks.push(task);
  }
  return {
    async stop() {
      for (const task of tasks) await task.stop();
      await Promise.allSettled([...running]);
    },
  };
}
