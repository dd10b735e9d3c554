// What the cloudstorage module keeps about a job's storage, for databases that have no module: the demo's embedded
// one and the tests' fresh ones. On a real WHMCS these tables and columns are the module's (sql/legacy-module.sql
// shows them); the migrations never create them, and nothing here runs there.
import { createCipheriv, randomBytes } from 'node:crypto';
import type { Knex } from 'knex';
import { TABLES } from '../db/tables.js';
import { phpOpensslKey } from '../lib/module-key.js';
import { CLOUDSTORAGE_MODULE } from '../services/module-settings.js';

export const ENCRYPTION_KEY_SETTING = 'cloudbackup_encryption_key';

/** Creates the module's storage tables and the jobs' destination columns where they are missing. */
export async function ensureModuleStorage(db: Knex): Promise<void> {
  if (!(await db.schema.hasTable(TABLES.addonSettings))) {
    await db.schema.createTable(TABLES.addonSettings, (t) => {
      t.string('module', 64).notNullable();
      t.string('setting', 64).notNullable();
      t.text('value').notNullable();
      t.index(['module', 'setting'], 'module_setting');
    });
  }
  if (!(await db.schema.hasTable(TABLES.buckets))) {
    await db.schema.createTable(TABLES.buckets, (t) => {
      t.increments('id');
      t.integer('user_id').unsigned().notNullable();
      t.string('name', 255).notNullable().unique('uniq_bucket_name');
      t.boolean('is_active').notNullable().defaultTo(true);
    });
  }
  if (!(await db.schema.hasTable(TABLES.accessKeys))) {
    await db.schema.createTable(TABLES.accessKeys, (t) => {
      t.increments('id');
      t.integer('user_id').unsigned().notNullable().index('idx_user_id');
      t.string('access_key', 255).nullable();
      t.string('secret_key', 255).nullable();
    });
  }
  const columns: [string, (t: Knex.AlterTableBuilder) => void][] = [
    ['s3_user_id', (t) => t.integer('s3_user_id').unsigned().notNullable().defaultTo(0)],
    ['dest_bucket_id', (t) => t.integer('dest_bucket_id').unsigned().nullable()],
    ['dest_prefix', (t) => t.string('dest_prefix', 1024).nullable()],
    ['dest_type', (t) => t.enu('dest_type', ['s3', 'local']).notNullable().defaultTo('s3')],
    ['dest_local_path', (t) => t.string('dest_local_path', 1024).nullable()],
  ];
  for (const [name, build] of columns) {
    if (!(await db.schema.hasColumn(TABLES.jobs, name))) await db.schema.alterTable(TABLES.jobs, build);
  }
}

/** A value as the module stores it: base64(IV || AES-256-CBC ciphertext) under the setting's key. */
export function encryptModuleValue(plain: string, setting: string): string {
  const iv = randomBytes(16);
  const cipher = createCipheriv('aes-256-cbc', phpOpensslKey(setting), iv);
  return Buffer.concat([iv, cipher.update(plain, 'utf8'), cipher.final()]).toString('base64');
}

/** Sets (or replaces) one cloudstorage setting. */
export async function setModuleSetting(db: Knex, setting: string, value: string): Promise<void> {
  await db(TABLES.addonSettings).where({ module: CLOUDSTORAGE_MODULE, setting }).delete();
  await db(TABLES.addonSettings).insert({ module: CLOUDSTORAGE_MODULE, setting, value });
}

export type JobDestination = { type: 'local'; path: string; bucket?: string } | { type: 's3'; bucket: string; prefix?: string };

export interface JobStorage {
  destination: JobDestination;
  accessKeyId: string;
  secretAccessKey: string;
  /** The install's cloudbackup_encryption_key (set it with setModuleSetting): the keys are encrypted with it. */
  encryptionKey: string;
  /** The S3 user that owns the bucket and keys; default: a new one per job. */
  s3UserId?: number;
}

async function bucketId(db: Knex, userId: number, name: string): Promise<number> {
  const found = (await db(TABLES.buckets).where({ name }).first('id')) as { id: number } | undefined;
  if (found) return Number(found.id);
  const [id] = await db(TABLES.buckets).insert({ user_id: userId, name, is_active: 1 });
  return Number(id);
}

/** Points a job at its storage the way the module records it: bucket, prefix or local path, the S3 user's newest keys. */
export async function setJobStorage(db: Knex, jobId: number, storage: JobStorage): Promise<void> {
  const userId = storage.s3UserId ?? 100_000 + jobId;
  const { destination: dest } = storage;
  const bucketName = dest.bucket;
  await db(TABLES.jobs).where('id', jobId).update({
    s3_user_id: userId,
    dest_type: dest.type,
    dest_bucket_id: bucketName ? await bucketId(db, userId, bucketName) : null,
    dest_prefix: dest.type === 's3' ? dest.prefix ?? '' : null,
    dest_local_path: dest.type === 'local' ? dest.path : null,
  });
  await db(TABLES.accessKeys).insert({
    user_id: userId,
    access_key: encryptModuleValue(storage.accessKeyId, storage.encryptionKey),
    secret_key: encryptModuleValue(storage.secretAccessKey, storage.encryptionKey),
  });
}
