// Jobs' storage as the cloudstorage module records it (bucket, prefix or local path, the S3 user's keys encrypted
// with the install's key, the S3 endpoint setting), so the sidecar resolves each job's repository at claim.
import type { Knex } from 'knex';
import { encryptModuleValue, ENCRYPTION_KEY_SETTING, setJobStorage, setModuleSetting, type JobDestination } from '../../sidecar/demo/module-storage.js';
import type { RepositorySpec } from '../../sidecar/demo/kopia-repository.js';

/** Shorter than 32 bytes on purpose: PHP pads such a key with NULs, and so must the sidecar. */
export const TEST_ENCRYPTION_KEY = 'hvr-test-module-key-0001';
export const TEST_S3_ENDPOINT = 'https://s3.hvr-test.invalid';
/** The identity the test filesystem repositories are recorded with; their password is made from it. */
export const TEST_BUCKET = 'hvr-test-bucket';
export const TEST_ACCESS_KEY = 'HVRTESTACCESSKEY0001';
export const TEST_SECRET_KEY = 'hvr-test-secret-key-0123456789abcdef';
/** The password of every test filesystem repository: what the sidecar builds from the storage above. */
export const TEST_FILESYSTEM_PASSWORD = `${TEST_BUCKET}:${TEST_ACCESS_KEY}:${TEST_SECRET_KEY}`;

export interface StorageSpec {
  destination: JobDestination;
  accessKeyId: string;
  secretAccessKey: string;
  /** The S3 endpoint setting, e.g. `http://127.0.0.1:7070` (one per install). */
  endpoint?: string;
  region?: string;
}

/** Distinct per job: a leak of one job's keys into another's answer would show. */
export function defaultJobStorage(jobId: number): StorageSpec {
  return {
    destination: { type: 's3', bucket: `hvr-job-${jobId}`, prefix: `/hyperv/job-${jobId}` },
    accessKeyId: `AKJOB${String(jobId).padStart(6, '0')}TEST`, secretAccessKey: `job-${jobId}-secret-${'s'.repeat(24)}`,
  };
}

export async function giveJobStorage(db: Knex, jobId: number, spec: StorageSpec): Promise<void> {
  await setModuleSetting(db, ENCRYPTION_KEY_SETTING, TEST_ENCRYPTION_KEY);
  await setModuleSetting(db, 'cloudbackup_agent_s3_endpoint', spec.endpoint ?? TEST_S3_ENDPOINT);
  await setModuleSetting(db, 'cloudbackup_agent_s3_region', spec.region ?? 'us-east-1');
  await setJobStorage(db, jobId, { ...spec, encryptionKey: TEST_ENCRYPTION_KEY });
}

/** The storage a real test repository is recorded with: its bucket and keys make its password. */
export function storageOfRepository(spec: RepositorySpec): StorageSpec {
  if (spec.type === 'filesystem') {
    return { destination: { type: 'local', path: spec.path, bucket: TEST_BUCKET }, accessKeyId: TEST_ACCESS_KEY, secretAccessKey: TEST_SECRET_KEY };
  }
  return {
    destination: { type: 's3', bucket: spec.bucket, prefix: spec.prefix }, accessKeyId: spec.accessKeyId, secretAccessKey: spec.secretAccessKey,
    endpoint: `${spec.disableTls ? 'http' : 'https'}://${spec.endpoint}`, region: spec.region,
  };
}

/** kopia's password for a repository of this storage, as the backup agent sets it. */
export function passwordOfStorage(spec: StorageSpec): string {
  return `${spec.destination.bucket ?? ''}:${spec.accessKeyId}:${spec.secretAccessKey}`;
}

/** A newer key pair for the job's S3 user (a key rotation): the newest one is used from then on. */
export async function rotateJobKeys(db: Knex, jobId: number, accessKeyId: string, secretAccessKey: string): Promise<void> {
  const job = (await db('s3_cloudbackup_jobs').where('id', jobId).first('s3_user_id')) as { s3_user_id: number };
  await db('s3_user_access_keys').insert({
    user_id: job.s3_user_id, access_key: encryptModuleValue(accessKeyId, TEST_ENCRYPTION_KEY), secret_key: encryptModuleValue(secretAccessKey, TEST_ENCRYPTION_KEY),
  });
}
