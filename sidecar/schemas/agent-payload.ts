// The hyperv_restore command's payload as the client API queues it (reference-system.md), part of the agent API's
// wire contract (re-exported by agent.ts). The agent re-validates it: it never trusts the server with a path.
import type { JSONSchemaType } from 'ajv';
import { compileValidator } from '../lib/validator.js';

/** A kopia snapshot manifest id as kopia prints it: 32 lower-case hex digits (the engine refuses anything else). */
export const MANIFEST_ID_PATTERN = '^[0-9a-f]{32}$';
/** A run id in a URL of the agent API. */
export const RUN_ID_PATTERN = '^[1-9][0-9]{0,15}$';

export interface RestoreChainEntry {
  backup_point_id: number;
  manifest_id: string | null;
  backup_type: 'Full' | 'Incremental';
  disk_manifests: Record<string, string>;
}

export interface HypervRestorePayload {
  backup_point_id: number;
  vm_name: string;
  vm_guid?: string | null;
  target_path: string;
  disk_manifests: Record<string, string>;
  restore_chain?: RestoreChainEntry[];
  backup_type?: 'Full' | 'Incremental';
  restore_run_id: number;
  restore_run_uuid?: string | null;
}

const diskManifests = {
  type: 'object',
  required: [],
  minProperties: 1,
  maxProperties: 64,
  propertyNames: { type: 'string', minLength: 1, maxLength: 1024 },
  additionalProperties: { type: 'string', pattern: MANIFEST_ID_PATTERN },
} as const;

const id = { type: 'integer', minimum: 1, maximum: Number.MAX_SAFE_INTEGER } as const;

export const hypervRestorePayloadSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['backup_point_id', 'vm_name', 'target_path', 'disk_manifests', 'restore_run_id'],
  properties: {
    backup_point_id: id,
    vm_name: { type: 'string', minLength: 1, maxLength: 255 },
    vm_guid: { type: 'string', maxLength: 64, nullable: true },
    target_path: { type: 'string', minLength: 1, maxLength: 1024 },
    disk_manifests: diskManifests,
    restore_chain: {
      type: 'array',
      maxItems: 1000,
      nullable: true,
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['backup_point_id', 'manifest_id', 'backup_type', 'disk_manifests'],
        properties: {
          backup_point_id: id,
          manifest_id: { type: 'string', maxLength: 128, nullable: true },
          backup_type: { type: 'string', enum: ['Full', 'Incremental'] },
          disk_manifests: { ...diskManifests, minProperties: 0 },
        },
      },
    },
    backup_type: { type: 'string', enum: ['Full', 'Incremental'], nullable: true },
    restore_run_id: id,
    restore_run_uuid: { type: 'string', maxLength: 36, nullable: true },
  },
} as unknown as JSONSchemaType<HypervRestorePayload>;

export const validateHypervRestorePayload = compileValidator(hypervRestorePayloadSchema, 'payload');
