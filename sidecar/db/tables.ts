// Every table the sidecar reads or writes, named once. The legacy s3_* names stay as WHMCS has them; the
// s3_hyperv_restore_* tables are ours (sql/migrations).
export const TABLES = {
  agents: 's3_cloudbackup_agents',
  jobs: 's3_cloudbackup_jobs',
  runs: 's3_cloudbackup_runs',
  commands: 's3_cloudbackup_run_commands',
  events: 's3_cloudbackup_run_events',
  vms: 's3_hyperv_vms',
  disks: 's3_hyperv_vm_disks',
  points: 's3_hyperv_backup_points',
  eventKeys: 's3_hyperv_restore_event_keys',
  restoreTargets: 's3_hyperv_restore_targets',
  notices: 's3_hyperv_restore_notices',
  nonces: 's3_hyperv_restore_nonces',
  leases: 's3_hyperv_restore_leases',
  migrations: 's3_hyperv_restore_migrations',
  // The cloudstorage module's storage and WHMCS's addon settings: read for a job's repository, never written.
  buckets: 's3_buckets',
  accessKeys: 's3_user_access_keys',
  addonSettings: 'tbladdonmodules',
} as const;

export type TableName = (typeof TABLES)[keyof typeof TABLES];
