// The demo job's storage, recorded the way the cloudstorage module records it (local destination, bucket, the S3
// user's encrypted keys, the install's encryption key), so the demo sidecar resolves the job's repository at claim
// exactly as it does on a real WHMCS. Idempotent: a second run changes nothing.
import { randomBytes } from 'node:crypto';
import type { Knex } from 'knex';
import { TABLES } from '../db/tables.js';
import { readModuleSettings } from '../services/module-settings.js';
import { ENCRYPTION_KEY_SETTING, ensureModuleStorage, setJobStorage, setModuleSetting } from './module-storage.js';
import type { DemoRepositoryFile } from './prepare-demo-disks.js';

export async function seedDemoStorage(db: Knex, jobId: number, repository: DemoRepositoryFile): Promise<void> {
  await ensureModuleStorage(db);
  let encryptionKey = (await readModuleSettings(db, [ENCRYPTION_KEY_SETTING])).get(ENCRYPTION_KEY_SETTING);
  if (!encryptionKey) {
    encryptionKey = randomBytes(24).toString('base64url');
    await setModuleSetting(db, ENCRYPTION_KEY_SETTING, encryptionKey);
  }
  const job = (await db(TABLES.jobs).where('id', jobId).first('dest_type', 'dest_local_path')) as { dest_type: string; dest_local_path: string | null };
  if (job.dest_type === 'local' && job.dest_local_path === repository.path) return;
  await setJobStorage(db, jobId, {
    destination: { type: 'local', path: repository.path, bucket: repository.bucket },
    accessKeyId: repository.accessKeyId, secretAccessKey: repository.secretAccessKey, encryptionKey,
  });
}
