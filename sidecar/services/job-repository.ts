// The backup repository of a job, resolved from WHMCS the way the reference module builds its agent's job_context
// (reference-server.md §5.2): destination type, bucket, prefix, the module's endpoint and region, the newest access
// key of the job's S3 user (decrypted), and kopia's password `<bucket>:<access key>:<secret key>`.
// The result carries secrets: it goes into the claim answer only, never into a row, an event or a log line.
import type { Knex } from 'knex';
import { TABLES } from '../db/tables.js';
import { decryptModuleValue } from '../lib/module-key.js';
import type { CommandRepository } from '../schemas/agent.js';
import { firstSetting, readModuleSettings } from './module-settings.js';

const SETTINGS = {
  endpoint: ['cloudbackup_agent_s3_endpoint', 's3_endpoint'],
  region: ['cloudbackup_agent_s3_region', 's3_region'],
  /** Tried in this order, as the module does. */
  encryptionKeys: ['cloudbackup_encryption_key', 'encryption_key'],
} as const;
const JOB_COLUMNS = ['dest_type', 'dest_local_path', 'dest_bucket_id', 'dest_prefix', 's3_user_id'] as const;

/** Why a job has no usable repository: for the sidecar's log and the admin, never shown to a customer. */
export type RepositoryResolution = { ok: true; repository: CommandRepository } | { ok: false; reason: string };

type JobDestination = Partial<Record<(typeof JOB_COLUMNS)[number], unknown>>;
interface Keys {
  accessKeyId: string;
  secretAccessKey: string;
}

const fail = (reason: string): RepositoryResolution => ({ ok: false, reason });
const text = (value: unknown): string => (typeof value === 'string' ? value : '');

/** kopia's prefix as the reference agent makes it: no leading '/', a trailing '/', empty stays empty. */
export function normaliseKopiaPrefix(prefix: string): string {
  const trimmed = prefix.trim().replace(/^\/+/, '');
  return trimmed === '' || trimmed.endsWith('/') ? trimmed : `${trimmed}/`;
}

/** host[:port] for kopia plus whether TLS is off: only an endpoint that says http:// turns it off. */
export function normaliseEndpoint(raw: string): { endpoint: string; disableTls: boolean } | null {
  const value = raw.trim();
  let url: URL;
  try {
    url = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(value) ? value : `https://${value}`);
  } catch {
    return null;
  }
  if ((url.protocol !== 'https:' && url.protocol !== 'http:') || !url.host) return null;
  return { endpoint: url.host, disableTls: url.protocol === 'http:' };
}

/** The job's destination columns that this install has (an older module lacks dest_type and dest_local_path). */
async function readJobDestination(db: Knex, jobId: number): Promise<JobDestination | undefined> {
  const present = Object.keys(await db(TABLES.jobs).columnInfo());
  const columns = JOB_COLUMNS.filter((c) => present.includes(c));
  if (columns.length === 0) return {};
  return (await db(TABLES.jobs).where('id', jobId).first(...columns)) as JobDestination | undefined;
}

async function readBucketName(db: Knex, bucketId: unknown): Promise<string> {
  if (bucketId === null || bucketId === undefined || Number(bucketId) <= 0) return '';
  if (!(await db.schema.hasTable(TABLES.buckets))) return '';
  const row = (await db(TABLES.buckets).where('id', Number(bucketId)).first('name')) as { name: unknown } | undefined;
  return text(row?.name).trim();
}

/** The newest key pair of the S3 user in clear, or the reason it is not usable. */
async function readKeys(db: Knex, userId: unknown, settings: ReadonlyMap<string, string>): Promise<Keys | string> {
  if (userId === null || userId === undefined || Number(userId) <= 0) return 'the job has no S3 user';
  if (!(await db.schema.hasTable(TABLES.accessKeys))) return 'the database has no s3_user_access_keys table';
  const row = (await db(TABLES.accessKeys).where('user_id', Number(userId)).orderBy('id', 'desc')
    .first('access_key', 'secret_key')) as { access_key: unknown; secret_key: unknown } | undefined;
  if (!row || !text(row.access_key) || !text(row.secret_key)) return "the job's S3 user has no access key";
  const keys = SETTINGS.encryptionKeys.map((name) => settings.get(name)).filter((k): k is string => k !== undefined);
  if (keys.length === 0) return 'the module has no encryption key setting';
  for (const key of keys) {
    const accessKeyId = decryptModuleValue(text(row.access_key), key);
    const secretAccessKey = decryptModuleValue(text(row.secret_key), key);
    if (accessKeyId && secretAccessKey) return { accessKeyId, secretAccessKey };
  }
  return "the job's access key does not decrypt with the module's encryption key";
}

export async function resolveJobRepository(db: Knex, jobId: number): Promise<RepositoryResolution> {
  const job = await readJobDestination(db, jobId);
  if (!job) return fail('the job does not exist');
  const settings = await readModuleSettings(db, [...SETTINGS.endpoint, ...SETTINGS.region, ...SETTINGS.encryptionKeys]);
  const local = text(job.dest_type) === 'local';
  const bucket = await readBucketName(db, job.dest_bucket_id);
  if (!local && !bucket) return fail('the job has no destination bucket');
  const localPath = text(job.dest_local_path).trim();
  if (local && !localPath) return fail('the job has a local destination without a path');
  const keys = await readKeys(db, job.s3_user_id, settings);
  if (typeof keys === 'string') return fail(keys);
  const password = `${bucket}:${keys.accessKeyId}:${keys.secretAccessKey}`;
  if (local) return { ok: true, repository: { type: 'filesystem', path: localPath, password } };
  const endpoint = normaliseEndpoint(firstSetting(settings, ...SETTINGS.endpoint) ?? '');
  if (!endpoint) return fail('the module has no valid S3 endpoint setting');
  return {
    ok: true,
    repository: {
      type: 's3', endpoint: endpoint.endpoint, region: (firstSetting(settings, ...SETTINGS.region) ?? '').trim(), bucket,
      prefix: normaliseKopiaPrefix(text(job.dest_prefix)), access_key_id: keys.accessKeyId, secret_access_key: keys.secretAccessKey,
      disable_tls: endpoint.disableTls, password,
    },
  };
}
