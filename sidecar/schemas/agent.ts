// The agent API's wire contract: JSON Schemas and the types derived from them. The sidecar validates requests
// with these and the agent validates what it receives with the same ones, so the two cannot drift.
// Pure module: it may import only sidecar/lib/* (the agent imports it; see eslint.config.js).
//
// Terminology: a *command* is a row of s3_cloudbackup_run_commands queued for one agent; *claiming* it hands it to
// that agent once; its *run* (s3_cloudbackup_runs) is what the agent reports progress, events and the end on.
import type { JSONSchemaType } from 'ajv';
import { EVENT_LEVELS, EVENT_TYPES, type EventLevel, type EventType, type MessageId } from '../lib/event-catalogue.js';
import { compileValidator } from '../lib/validator.js';

export type { EventLevel, EventType } from '../lib/event-catalogue.js';

export const AGENT_API_PREFIX = '/agent';
export const MAX_EVENTS_PER_BATCH = 100;

// Each enum of the contract once, as a list; the types are derived from the lists and the schemas use the same lists.
export const RUN_STATUSES = ['queued', 'starting', 'running', 'success', 'warning', 'failed', 'cancelled'] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];
/** The statuses a run ends in (what the agent's finish reports). */
export const FINAL_STATUSES = ['success', 'warning', 'failed', 'cancelled'] as const satisfies readonly RunStatus[];
export type FinalStatus = (typeof FINAL_STATUSES)[number];
/** What a heartbeat may report: a run the agent is working on. */
export const WORKING_STATUSES = ['starting', 'running'] as const satisfies readonly RunStatus[];
export const DISK_STATES = ['pending', 'running', 'done', 'failed', 'cancelled'] as const;
export type DiskState = (typeof DISK_STATES)[number];

/** The event ids the agent sends; their texts live in the sidecar's event catalogue. */
export const AGENT_EVENT_IDS = [
  'HYPERV_RESTORE_STARTING', 'HYPERV_RESTORE_DISK_STARTING', 'HYPERV_RESTORE_DISK_PROGRESS',
  'HYPERV_RESTORE_DISK_COMPLETE', 'HYPERV_RESTORE_DISK_FAILED', 'HYPERV_RESTORE_COMPLETE', 'HYPERV_RESTORE_FAILED',
  'HYPERV_RESTORE_CANCEL_REQUESTED', 'HYPERV_RESTORE_CANCELLED', 'HYPERV_RESTORE_NOTICE',
] as const satisfies readonly MessageId[];
export type AgentEventId = (typeof AGENT_EVENT_IDS)[number];

// ---- claim --------------------------------------------------------------------------------------------------

/**
 * The type our restore commands are queued under. The reference module's poll hands out `restore`,
 * `hyperv_restore`, `maintenance_quick` and `maintenance_full` to its own agent; this type is none of them.
 */
export const RESTORE_COMMAND_TYPE = 'hypervrestore_restore';
/** What our restores were queued as before they had a type of their own (an older sidecar may still send it). */
export const LEGACY_RESTORE_COMMAND_TYPE = 'hyperv_restore';
/** The command types our agent is handed, claims and finishes; every other type belongs to the module's agent. */
export const AGENT_COMMAND_TYPES = [RESTORE_COMMAND_TYPE] as const;

/** The job's backup repository, resolved by the sidecar from WHMCS at claim time. Carries secrets: never stored. */
export type CommandRepository =
  | {
      type: 's3';
      /** host[:port], as kopia takes it; TLS unless disable_tls. */
      endpoint: string;
      region: string;
      bucket: string;
      /** '' or ending in '/'. */
      prefix: string;
      access_key_id: string;
      secret_access_key: string;
      disable_tls: boolean;
      password: string;
    }
  | { type: 'filesystem'; path: string; password: string };

export interface ClaimedCommand {
  command_id: number;
  type: string;
  run_id: number;
  run_uuid: string | null;
  payload: unknown;
  /** Absent from an older sidecar: the agent then uses its config's repository. */
  repository?: CommandRepository;
}

const secretText = { type: 'string', minLength: 1, maxLength: 1024 } as const;

// ajv's type helper cannot express this oneOf of two closed objects; CommandRepository is the contract.
export const commandRepositorySchema = {
  oneOf: [
    {
      type: 'object',
      additionalProperties: false,
      required: ['type', 'endpoint', 'region', 'bucket', 'prefix', 'access_key_id', 'secret_access_key', 'disable_tls', 'password'],
      properties: {
        type: { const: 's3' },
        endpoint: { type: 'string', pattern: '^(\\[[0-9A-Fa-f:.]+\\]|[A-Za-z0-9.-]+)(:[0-9]{1,5})?$', maxLength: 255 },
        region: { type: 'string', maxLength: 64 },
        bucket: { type: 'string', minLength: 1, maxLength: 255 },
        prefix: { type: 'string', maxLength: 1024 },
        access_key_id: secretText,
        secret_access_key: secretText,
        disable_tls: { type: 'boolean' },
        password: secretText,
      },
    },
    {
      type: 'object',
      additionalProperties: false,
      required: ['type', 'path', 'password'],
      properties: { type: { const: 'filesystem' }, path: { type: 'string', minLength: 1, maxLength: 1024 }, password: secretText },
    },
  ],
} as unknown as JSONSchemaType<CommandRepository>;

export interface ClaimResponse {
  command: ClaimedCommand | null;
}

/** The commands this agent claimed whose runs are still going: what an agent that restarted must pick up again. */
export interface ResumeResponse {
  commands: ClaimedCommand[];
}

// ---- heartbeat (status + progress) --------------------------------------------------------------------------

export interface DiskProgressEntry {
  name: string;
  path: string;
  bytes_total: number;
  bytes_done: number;
  status: DiskState;
  message?: string;
}

export interface ProgressReport {
  bytes_total: number;
  bytes_done: number;
  progress_pct: number;
  speed_bytes_per_sec: number;
  eta_seconds: number | null;
  current_item: string;
  disks: DiskProgressEntry[];
}

export interface HeartbeatRequest extends ProgressReport {
  status: (typeof WORKING_STATUSES)[number];
}

export interface HeartbeatResponse {
  run_status: RunStatus;
  cancel_requested: boolean;
}

const count = { type: 'integer', minimum: 0, maximum: Number.MAX_SAFE_INTEGER } as const;

const diskSchema: JSONSchemaType<DiskProgressEntry> = {
  type: 'object',
  additionalProperties: false,
  required: ['name', 'path', 'bytes_total', 'bytes_done', 'status'],
  properties: {
    name: { type: 'string', minLength: 1, maxLength: 255 },
    path: { type: 'string', minLength: 1, maxLength: 1024 },
    bytes_total: count,
    bytes_done: count,
    status: { type: 'string', enum: DISK_STATES },
    message: { type: 'string', maxLength: 2000, nullable: true },
  },
};

const progressRequired = ['bytes_total', 'bytes_done', 'progress_pct', 'speed_bytes_per_sec', 'eta_seconds', 'current_item', 'disks'] as const;

const progressSchema: JSONSchemaType<ProgressReport> = {
  type: 'object',
  additionalProperties: false,
  required: [...progressRequired],
  properties: {
    bytes_total: count,
    bytes_done: count,
    progress_pct: { type: 'number', minimum: 0, maximum: 100 },
    speed_bytes_per_sec: count,
    // ajv's type helper rejects a nullable integer here (a known limitation); the schema itself is right.
    eta_seconds: { type: 'integer', minimum: 0, maximum: 4294967295, nullable: true } as unknown as JSONSchemaType<number>,
    current_item: { type: 'string', maxLength: 1024 },
    disks: { type: 'array', maxItems: 64, items: diskSchema },
  },
};

// The progress schema plus a status; the spread loses ajv's typing, the progress part above is checked.
export const heartbeatSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['status', ...progressRequired],
  properties: { status: { type: 'string', enum: [...WORKING_STATUSES] }, ...progressSchema.properties },
} as unknown as JSONSchemaType<HeartbeatRequest>;

// ---- events ---------------------------------------------------------------------------------------------------

export type EventParam = string | number | boolean | null;

export interface AgentEvent {
  /** Client-generated and unique per run: a retried batch carries the same ids and is stored once. */
  id: string;
  ts: string;
  type: EventType;
  level: EventLevel;
  message_id: AgentEventId;
  params: Record<string, EventParam>;
}

export interface EventsRequest {
  events: AgentEvent[];
}

export interface EventsResponse {
  stored: number;
  duplicates: number;
}

const eventSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['id', 'ts', 'type', 'level', 'message_id', 'params'],
  properties: {
    id: { type: 'string', pattern: '^[A-Za-z0-9_-]{8,64}$' },
    ts: { type: 'string', pattern: '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(\\.\\d+)?Z$' },
    type: { type: 'string', enum: [...EVENT_TYPES] },
    level: { type: 'string', enum: [...EVENT_LEVELS] },
    message_id: { type: 'string', enum: [...AGENT_EVENT_IDS] },
    params: {
      type: 'object',
      maxProperties: 20,
      required: [],
      propertyNames: { type: 'string', pattern: '^[a-z][a-z0-9_]{0,39}$' },
      additionalProperties: {
        anyOf: [
          { type: 'string', maxLength: 2000 },
          { type: 'number' },
          { type: 'boolean' },
          { type: 'null', nullable: true },
        ],
      },
    },
  },
};

// ajv cannot derive a schema type for a record of primitive unions; the interface above is the contract.
export const eventsSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['events'],
  properties: { events: { type: 'array', minItems: 1, maxItems: MAX_EVENTS_PER_BATCH, items: eventSchema } },
} as unknown as JSONSchemaType<EventsRequest>;

// ---- finish ---------------------------------------------------------------------------------------------------

export interface FinishRequest {
  status: FinalStatus;
  message: string;
  progress?: ProgressReport;
}

export const finishSchema: JSONSchemaType<FinishRequest> = {
  type: 'object',
  additionalProperties: false,
  required: ['status', 'message'],
  properties: {
    status: { type: 'string', enum: FINAL_STATUSES },
    message: { type: 'string', maxLength: 2000 },
    progress: { ...progressSchema, nullable: true },
  },
};

export * from './agent-payload.js';

export const validateHeartbeat = compileValidator(heartbeatSchema);
export const validateEvents = compileValidator(eventsSchema);
export const validateFinish = compileValidator(finishSchema);
export const validateCommandRepository = compileValidator(commandRepositorySchema, 'command.repository');
