// Inputs of the client API: one JSON Schema per query/body, the TS type it validates to, and the message each
// field answers with when it is missing or bad (spec texts come from lib/errors MESSAGES).
import type { JSONSchemaType } from 'ajv';
import { MESSAGES } from '../lib/errors.js';

const ID = { type: 'integer', minimum: 1, maximum: 4294967295 } as const;

export interface FieldMessage {
  /** Text when the field is absent or empty; defaults to `invalid`. */
  required?: string;
  invalid: string;
}
export type FieldMessages = Record<string, FieldMessage>;

export interface VmsQuery {
  job_id?: number;
}
export const vmsQuerySchema: JSONSchemaType<VmsQuery> = {
  type: 'object',
  properties: { job_id: { ...ID, nullable: true } },
  required: [],
};
export const vmsQueryMessages: FieldMessages = { job_id: { invalid: 'job_id must be a positive whole number' } };

export type PointType = 'Full' | 'Incremental';
export interface BackupPointsQuery {
  vm_id: number;
  limit: number;
  offset: number;
  type?: PointType;
}
export const BACKUP_POINTS_MAX_LIMIT = 200;
export const backupPointsQuerySchema: JSONSchemaType<BackupPointsQuery> = {
  type: 'object',
  properties: {
    vm_id: ID,
    limit: { type: 'integer', minimum: 1, maximum: BACKUP_POINTS_MAX_LIMIT, default: 50 },
    offset: { type: 'integer', minimum: 0, maximum: 1_000_000_000, default: 0 },
    type: { type: 'string', enum: ['Full', 'Incremental'], nullable: true },
  },
  required: ['vm_id', 'limit', 'offset'],
};
export const backupPointsQueryMessages: FieldMessages = {
  vm_id: { required: MESSAGES.VM_ID_REQUIRED, invalid: MESSAGES.VM_ID_REQUIRED },
  limit: { invalid: `limit must be a whole number from 1 to ${BACKUP_POINTS_MAX_LIMIT}` },
  offset: { invalid: 'offset must be a whole number, 0 or more' },
  type: { invalid: 'type must be Full or Incremental' },
};

export interface StartRestoreBody {
  backup_point_id: number;
  target_path: string;
  /** Absent: every disk of the point. Normalised from a JSON string or repeated form fields before validation. */
  disk_filter?: string[];
  /** The host to restore on (an active agent of the VM's client); absent: the job's agent. */
  agent_id?: number;
}
export const MAX_DISKS = 64;
export const startRestoreBodySchema: JSONSchemaType<StartRestoreBody> = {
  type: 'object',
  properties: {
    backup_point_id: ID,
    target_path: { type: 'string', minLength: 1, maxLength: 4096 },
    disk_filter: { type: 'array', items: { type: 'string', minLength: 1, maxLength: 1024 }, maxItems: MAX_DISKS, nullable: true },
    agent_id: { ...ID, nullable: true },
  },
  required: ['backup_point_id', 'target_path'],
};
export const DISK_FILTER_INVALID = 'disk_filter must be a JSON array of disk paths';
export const startRestoreBodyMessages: FieldMessages = {
  backup_point_id: { required: MESSAGES.BACKUP_POINT_ID_REQUIRED, invalid: MESSAGES.BACKUP_POINT_ID_REQUIRED },
  target_path: { required: MESSAGES.TARGET_PATH_REQUIRED, invalid: 'target_path must be text' },
  disk_filter: { invalid: DISK_FILTER_INVALID },
  agent_id: { invalid: 'agent_id must be a positive whole number' },
};

export interface RunEventsQuery {
  after: number;
  limit: number;
}
export const runEventsQuerySchema: JSONSchemaType<RunEventsQuery> = {
  type: 'object',
  properties: {
    after: { type: 'integer', minimum: 0, maximum: Number.MAX_SAFE_INTEGER, default: 0 },
    limit: { type: 'integer', minimum: 1, maximum: 500, default: 500 },
  },
  required: ['after', 'limit'],
};
export const runEventsQueryMessages: FieldMessages = {
  after: { invalid: 'after must be an event id (a whole number, 0 or more)' },
  limit: { invalid: 'limit must be a whole number from 1 to 500' },
};

/** A run is named by its numeric id or its uuid; anything else cannot name a run (answers like a missing one). */
export const RUN_REF = /^(?:[1-9][0-9]{0,17}|[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})$/;
export type RunRef = { id: number } | { uuid: string };
export function parseRunRef(value: string): RunRef | null {
  if (!RUN_REF.test(value)) return null;
  return value.includes('-') ? { uuid: value.toLowerCase() } : { id: Number(value) };
}

/** `disk_filter` arrives as a JSON string (wizard, forms), an array (JSON bodies, repeated form fields) or not at all. */
export function normalizeDiskFilter(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  const text = value.trim();
  // A lone form field holds one disk path; a path never starts with '[' or '{', JSON does.
  if (!text.startsWith('[') && !text.startsWith('{')) return [value];
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return value; // stays a string: the schema answers DISK_FILTER_INVALID
  }
}
