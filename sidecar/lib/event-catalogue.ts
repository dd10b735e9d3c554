// The run event catalogue: message id -> text, default type and level. Pure, so the agent can import the ids.
// Texts keep the reference's wording (reference-system.md "Events"); ids added here follow the same style.

export const EVENT_TYPES = ['start', 'progress', 'warning', 'error', 'summary', 'cancelled', 'info'] as const;
export type EventType = (typeof EVENT_TYPES)[number];
export const EVENT_LEVELS = ['info', 'warn', 'error'] as const;
export type EventLevel = (typeof EVENT_LEVELS)[number];

export interface CatalogueEntry {
  text: string;
  type: EventType;
  level: EventLevel;
}

export const EVENT_CATALOGUE = {
  HYPERV_RESTORE_QUEUED: { text: 'Hyper-V restore queued for VM "{vm_name}" ({disk_count} disks).', type: 'info', level: 'info' },
  HYPERV_RESTORE_STARTING: { text: 'Starting Hyper-V disk restore for VM "{vm_name}" ({disk_count} disks) to {target_path}.', type: 'start', level: 'info' },
  HYPERV_RESTORE_DISK_STARTING: { text: 'Restoring disk {disk_index}/{total_disks}: {disk_name}.', type: 'info', level: 'info' },
  HYPERV_RESTORE_DISK_PROGRESS: { text: 'Restoring disk: {disk_name} - {bytes_done} of {bytes_total}.', type: 'progress', level: 'info' },
  HYPERV_RESTORE_DISK_COMPLETE: { text: 'Disk {disk_name} restored successfully ({disk_index}/{total_disks}).', type: 'info', level: 'info' },
  HYPERV_RESTORE_DISK_FAILED: { text: 'Disk {disk_name} restore failed: {message}.', type: 'error', level: 'error' },
  HYPERV_RESTORE_COMPLETE: { text: 'Hyper-V restore completed: {restored_disks}/{total_disks} disks restored to {target_path}.', type: 'summary', level: 'info' },
  HYPERV_RESTORE_FAILED: { text: 'Hyper-V restore failed: {message}.', type: 'error', level: 'error' },
  HYPERV_RESTORE_CANCEL_REQUESTED: { text: 'Cancellation requested: the agent will stop the Hyper-V restore.', type: 'info', level: 'warn' },
  HYPERV_RESTORE_CANCELLED: { text: 'Hyper-V restore cancelled.', type: 'cancelled', level: 'warn' },
  HYPERV_RESTORE_NOTICE: { text: '{message}', type: 'warning', level: 'warn' },
  AGENT_OFFLINE: { text: 'Agent offline: no heartbeat since {last_heartbeat_at} (timeout {watchdog_timeout_seconds} s).', type: 'error', level: 'error' },
} as const satisfies Record<string, CatalogueEntry>;

export type MessageId = keyof typeof EVENT_CATALOGUE;

export function isMessageId(value: string): value is MessageId {
  return Object.prototype.hasOwnProperty.call(EVENT_CATALOGUE, value);
}

/** Params whose numbers are byte counts and render human-readable. */
export const BYTE_PARAMS: ReadonlySet<string> = new Set([
  'bytes_done', 'bytes_total', 'bytes_restored', 'bytes_written', 'size', 'size_bytes', 'total_bytes', 'changed_bytes',
]);
