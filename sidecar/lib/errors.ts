// One error type for everything the API can refuse. The spec's texts live in MESSAGES and nowhere else.

export const MESSAGES = {
  UNAUTHORIZED: 'Unauthorized',
  NOT_FOUND: 'Not found',
  INTERNAL: 'Internal server error',
  DATABASE_UNAVAILABLE: 'Database unavailable',
  BAD_REQUEST: 'Bad request',
  VM_ID_REQUIRED: 'vm_id is required',
  VM_NOT_FOUND: 'VM not found or access denied',
  BACKUP_POINT_ID_REQUIRED: 'backup_point_id is required',
  TARGET_PATH_REQUIRED: 'target_path is required',
  BACKUP_POINT_NOT_FOUND: 'Backup point not found',
  NO_DISKS_SELECTED: 'No disks selected',
  RESTORE_CHAIN_BROKEN: 'Restore chain is broken',
  HYPERV_TABLES_MISSING: 'Hyper-V tables not initialized',
  RUN_NOT_FOUND: 'Run not found',
  RATE_LIMITED: 'Too many requests',
  PAYLOAD_TOO_LARGE: 'Request body too large',
  UNSUPPORTED_MEDIA_TYPE: 'Send the request body as JSON or as a form',
  AGENT_MISSING: 'This job has no agent to restore with',
  AGENT_DISABLED: 'The agent of this job is disabled',
  AGENT_NOT_FOUND: 'Agent not found',
  RESTORE_ALREADY_ACTIVE: 'A restore of this VM to this folder is already queued or running',
  RUN_FINISHED: 'The run has already finished and cannot be cancelled',
  REPOSITORY_NOT_CONFIGURED: 'Backup repository of this job is not configured',
} as const;

/** Codes whose message is built from the input (it names the field or the state), so they have no fixed text. */
export const DETAIL_CODES = ['INVALID_INPUT', 'INVALID_JSON', 'INVALID_DISK_FILTER', 'INVALID_TARGET_PATH', 'CONFLICT', 'RUN_BUSY', 'RUN_TRANSITION', 'RUN_EVENTS_LIMIT'] as const;

/** Every code an error can carry: closed, so a typo is a compile error rather than a new code. */
export type ErrorCode = keyof typeof MESSAGES | (typeof DETAIL_CODES)[number];

export class AppError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  /** Extra fields of the failure body next to the message (e.g. the id of the restore that is in the way). */
  readonly details: Record<string, string | number>;

  constructor(code: ErrorCode, status: number, message: string, details: Record<string, string | number> = {}) {
    super(message);
    this.name = 'AppError';
    this.code = code;
    this.status = status;
    this.details = details;
  }
}

function fromTable(code: keyof typeof MESSAGES, status: number): AppError {
  return new AppError(code, status, MESSAGES[code]);
}

export const errors = {
  unauthorized: () => fromTable('UNAUTHORIZED', 401),
  notFound: () => fromTable('NOT_FOUND', 404),
  internal: () => fromTable('INTERNAL', 500),
  databaseUnavailable: () => fromTable('DATABASE_UNAVAILABLE', 503),
  vmIdRequired: () => fromTable('VM_ID_REQUIRED', 400),
  vmNotFound: () => fromTable('VM_NOT_FOUND', 404),
  backupPointIdRequired: () => fromTable('BACKUP_POINT_ID_REQUIRED', 400),
  targetPathRequired: () => fromTable('TARGET_PATH_REQUIRED', 400),
  backupPointNotFound: () => fromTable('BACKUP_POINT_NOT_FOUND', 404),
  noDisksSelected: () => fromTable('NO_DISKS_SELECTED', 400),
  restoreChainBroken: () => fromTable('RESTORE_CHAIN_BROKEN', 409),
  hypervTablesMissing: () => fromTable('HYPERV_TABLES_MISSING', 500),
  runNotFound: () => fromTable('RUN_NOT_FOUND', 404),
  rateLimited: () => fromTable('RATE_LIMITED', 429),
  payloadTooLarge: () => fromTable('PAYLOAD_TOO_LARGE', 413),
  unsupportedMediaType: () => fromTable('UNSUPPORTED_MEDIA_TYPE', 415),
  agentMissing: () => fromTable('AGENT_MISSING', 409),
  agentDisabled: () => fromTable('AGENT_DISABLED', 409),
  /** A chosen host that is not an active agent of the VM's client: another client's answers exactly like a missing one. */
  agentNotFound: () => fromTable('AGENT_NOT_FOUND', 404),
  /** Names the restore in the way, so the wizard can link to its live page. */
  restoreAlreadyActive: (runId: number) => new AppError('RESTORE_ALREADY_ACTIVE', 409, MESSAGES.RESTORE_ALREADY_ACTIVE, { restore_run_id: runId }),
  runFinished: () => fromTable('RUN_FINISHED', 409),
  /** A bad input value: 400 with a message that names the field. */
  invalid: (message: string, code: ErrorCode = 'INVALID_INPUT') => new AppError(code, 400, message),
  conflict: (message: string, code: ErrorCode = 'CONFLICT') => new AppError(code, 409, message),
};

/** Turns anything that was thrown into an Error, keeping AppErrors as they are. */
export function coerceError(thrown: unknown): Error {
  if (thrown instanceof Error) return thrown;
  if (typeof thrown === 'string') return new Error(thrown);
  try {
    return new Error(JSON.stringify(thrown));
  } catch {
    return new Error(String(thrown));
  }
}
