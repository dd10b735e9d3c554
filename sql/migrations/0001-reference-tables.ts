// The reference module's tables (reference-system.md), created on a fresh database; on an existing one only the
// columns the restore reads or writes are added when missing.
import type { Knex } from 'knex';
import { ensureTable, type ColumnDef, type Migration, type TableDef } from './types.js';

const col = (name: string, build: (t: Knex.CreateTableBuilder) => void, onlyOnCreate = false): ColumnDef => ({ name, build, onlyOnCreate });
const stamps = (db: Knex): ColumnDef[] => [
  col('created_at', (t) => t.timestamp('created_at').nullable().defaultTo(db.fn.now())),
  col('updated_at', (t) => t.timestamp('updated_at').nullable()),
];
const RUN_STATUSES = ['queued', 'starting', 'running', 'success', 'warning', 'failed', 'cancelled'];
const ENGINES = ['sync', 'kopia', 'disk_image', 'hyperv'];
const SOURCE_TYPES = ['s3_compatible', 'aws', 'sftp', 'google_drive', 'dropbox', 'smb', 'nas', 'local_agent', 'hyperv'];

function tables(db: Knex): TableDef[] {
  return [
    {
      name: 's3_cloudbackup_agents',
      columns: [
        col('id', (t) => t.bigIncrements('id')),
        col('client_id', (t) => t.integer('client_id').unsigned().notNullable().index('hvr_agents_client')),
        col('agent_token', (t) => t.string('agent_token', 191).notNullable().unique('hvr_agents_token')),
        col('hostname', (t) => t.string('hostname', 191).nullable()),
        col('status', (t) => t.enu('status', ['active', 'disabled']).notNullable().defaultTo('active')),
        col('last_seen_at', (t) => t.dateTime('last_seen_at').nullable()),
        col('volumes_json', (t) => t.text('volumes_json').nullable(), true),
        col('volumes_updated_at', (t) => t.dateTime('volumes_updated_at').nullable(), true),
        ...stamps(db),
      ],
    },
    {
      name: 's3_cloudbackup_jobs',
      columns: [
        col('id', (t) => t.increments('id')),
        col('client_id', (t) => t.integer('client_id').unsigned().notNullable().index('hvr_jobs_client')),
        col('agent_id', (t) => t.integer('agent_id').unsigned().nullable()),
        col('name', (t) => t.string('name', 191).notNullable()),
        col('source_type', (t) => t.enu('source_type', SOURCE_TYPES).notNullable().defaultTo('hyperv')),
        col('engine', (t) => t.enu('engine', ENGINES).notNullable().defaultTo('hyperv')),
        col('hyperv_enabled', (t) => t.boolean('hyperv_enabled').notNullable().defaultTo(false)),
        col('hyperv_config', (t) => t.json('hyperv_config').nullable()),
        col('status', (t) => t.enu('status', ['active', 'paused', 'deleted']).notNullable().defaultTo('active')),
        ...stamps(db),
      ],
    },
    {
      name: 's3_cloudbackup_runs',
      columns: [
        col('id', (t) => t.bigIncrements('id')),
        col('run_uuid', (t) => t.string('run_uuid', 36).nullable().index('hvr_runs_uuid')),
        col('job_id', (t) => t.integer('job_id').unsigned().notNullable().references('id').inTable('s3_cloudbackup_jobs').onDelete('CASCADE')),
        col('agent_id', (t) => t.integer('agent_id').unsigned().nullable()),
        col('trigger_type', (t) => t.enu('trigger_type', ['manual', 'schedule', 'validation']).notNullable().defaultTo('manual'), true),
        col('status', (t) => t.enu('status', RUN_STATUSES).notNullable().defaultTo('queued')),
        col('run_type', (t) => t.string('run_type', 32).nullable()),
        col('engine', (t) => t.enu('engine', ENGINES).nullable(), true),
        col('created_at', (t) => t.timestamp('created_at').nullable().defaultTo(db.fn.now())),
        col('started_at', (t) => t.timestamp('started_at').nullable()),
        col('finished_at', (t) => t.timestamp('finished_at').nullable()),
        col('updated_at', (t) => t.timestamp('updated_at').nullable()),
        col('progress_pct', (t) => t.decimal('progress_pct', 5, 2).nullable()),
        col('bytes_total', (t) => t.bigInteger('bytes_total').unsigned().nullable()),
        col('bytes_transferred', (t) => t.bigInteger('bytes_transferred').unsigned().nullable()),
        col('bytes_processed', (t) => t.bigInteger('bytes_processed').unsigned().nullable(), true),
        col('objects_total', (t) => t.bigInteger('objects_total').unsigned().nullable(), true),
        col('objects_transferred', (t) => t.bigInteger('objects_transferred').unsigned().nullable(), true),
        col('speed_bytes_per_sec', (t) => t.bigInteger('speed_bytes_per_sec').unsigned().nullable()),
        col('eta_seconds', (t) => t.integer('eta_seconds').unsigned().nullable()),
        col('current_item', (t) => t.string('current_item', 1024).nullable()),
        col('error_summary', (t) => t.text('error_summary').nullable()),
        col('worker_host', (t) => t.string('worker_host', 191).nullable(), true),
        col('cancel_requested', (t) => t.tinyint('cancel_requested').notNullable().defaultTo(0)),
        col('stats_json', (t) => t.json('stats_json').nullable()),
        col('progress_json', (t) => t.json('progress_json').nullable()),
        col('log_ref', (t) => t.string('log_ref', 255).nullable(), true),
        col('disk_manifests_json', (t) => t.json('disk_manifests_json').nullable(), true),
      ],
    },
    {
      name: 's3_cloudbackup_run_commands',
      columns: [
        col('id', (t) => t.bigIncrements('id')),
        col('run_id', (t) => t.bigInteger('run_id').unsigned().nullable().references('id').inTable('s3_cloudbackup_runs').onDelete('CASCADE')),
        col('agent_id', (t) => t.integer('agent_id').unsigned().nullable()),
        col('type', (t) => t.string('type', 64).notNullable()),
        col('payload_json', (t) => t.json('payload_json').nullable()),
        col('status', (t) => t.enu('status', ['pending', 'processing', 'completed', 'failed']).notNullable().defaultTo('pending')),
        col('result_message', (t) => t.text('result_message', 'mediumtext').nullable()),
        col('created_at', (t) => t.timestamp('created_at').nullable().defaultTo(db.fn.now())),
        col('processed_at', (t) => t.timestamp('processed_at').nullable()),
      ],
      extras: (t) => t.index(['run_id', 'status'], 'hvr_commands_run_status'),
    },
    {
      name: 's3_cloudbackup_run_events',
      columns: [
        col('id', (t) => t.bigIncrements('id')),
        col('run_id', (t) => t.bigInteger('run_id').unsigned().notNullable().references('id').inTable('s3_cloudbackup_runs').onDelete('CASCADE')),
        col('ts', (t) => t.dateTime('ts').notNullable()),
        col('type', (t) => t.string('type', 32).notNullable()),
        col('level', (t) => t.string('level', 16).notNullable().defaultTo('info')),
        col('code', (t) => t.string('code', 64).nullable()),
        col('message_id', (t) => t.string('message_id', 64).nullable()),
        col('params_json', (t) => t.text('params_json', 'mediumtext').nullable()),
      ],
      extras: (t) => {
        t.index(['run_id', 'ts'], 'hvr_events_run_ts');
        t.index(['run_id', 'id'], 'hvr_events_run_id');
      },
    },
    {
      name: 's3_hyperv_vms',
      columns: [
        col('id', (t) => t.increments('id')),
        col('job_id', (t) => t.integer('job_id').unsigned().notNullable().references('id').inTable('s3_cloudbackup_jobs').onDelete('CASCADE')),
        col('vm_name', (t) => t.string('vm_name', 255).notNullable()),
        col('vm_guid', (t) => t.string('vm_guid', 64).nullable()),
        col('generation', (t) => t.tinyint('generation').notNullable().defaultTo(2)),
        col('is_linux', (t) => t.boolean('is_linux').notNullable().defaultTo(false)),
        col('integration_services', (t) => t.boolean('integration_services').notNullable().defaultTo(true)),
        col('rct_enabled', (t) => t.boolean('rct_enabled').notNullable().defaultTo(false)),
        col('backup_enabled', (t) => t.boolean('backup_enabled').notNullable().defaultTo(true)),
        ...stamps(db),
      ],
      extras: (t) => t.unique(['job_id', 'vm_guid'], { indexName: 'hvr_vms_job_guid' }),
    },
    {
      name: 's3_hyperv_vm_disks',
      columns: [
        col('id', (t) => t.increments('id')),
        col('vm_id', (t) => t.integer('vm_id').unsigned().notNullable().references('id').inTable('s3_hyperv_vms').onDelete('CASCADE')),
        col('disk_path', (t) => t.string('disk_path', 1024).notNullable()),
        col('controller_type', (t) => t.enu('controller_type', ['SCSI', 'IDE']).nullable()),
        col('controller_number', (t) => t.integer('controller_number').nullable()),
        col('controller_location', (t) => t.integer('controller_location').nullable()),
        col('vhd_format', (t) => t.enu('vhd_format', ['VHDX', 'VHD']).notNullable().defaultTo('VHDX')),
        col('size_bytes', (t) => t.bigInteger('size_bytes').nullable()),
        col('used_bytes', (t) => t.bigInteger('used_bytes').nullable()),
        col('rct_enabled', (t) => t.boolean('rct_enabled').notNullable().defaultTo(false)),
        col('current_rct_id', (t) => t.string('current_rct_id', 128).nullable()),
        ...stamps(db),
      ],
    },
    {
      name: 's3_hyperv_backup_points',
      columns: [
        col('id', (t) => t.increments('id')),
        col('vm_id', (t) => t.integer('vm_id').unsigned().notNullable().references('id').inTable('s3_hyperv_vms').onDelete('CASCADE')),
        col('run_id', (t) => t.bigInteger('run_id').unsigned().notNullable().references('id').inTable('s3_cloudbackup_runs').onDelete('CASCADE')),
        col('backup_type', (t) => t.enu('backup_type', ['Full', 'Incremental']).notNullable()),
        col('manifest_id', (t) => t.string('manifest_id', 128).nullable()),
        col('parent_backup_id', (t) => t.integer('parent_backup_id').unsigned().nullable().references('id').inTable('s3_hyperv_backup_points').onDelete('SET NULL')),
        col('vm_config_json', (t) => t.json('vm_config_json').nullable()),
        col('disk_manifests', (t) => t.json('disk_manifests').nullable()),
        col('total_size_bytes', (t) => t.bigInteger('total_size_bytes').unsigned().nullable()),
        col('changed_size_bytes', (t) => t.bigInteger('changed_size_bytes').unsigned().nullable()),
        col('duration_seconds', (t) => t.integer('duration_seconds').unsigned().nullable()),
        col('consistency_level', (t) => t.enu('consistency_level', ['Crash', 'Application', 'CrashNoCheckpoint']).nullable()),
        col('warnings_json', (t) => t.json('warnings_json').nullable()),
        col('warning_code', (t) => t.string('warning_code', 64).nullable()),
        col('has_warnings', (t) => t.boolean('has_warnings').notNullable().defaultTo(false)),
        col('created_at', (t) => t.timestamp('created_at').nullable().defaultTo(db.fn.now())),
        col('expires_at', (t) => t.timestamp('expires_at').nullable()),
      ],
      extras: (t) => t.index(['vm_id', 'created_at'], 'hvr_points_vm_created'),
    },
  ];
}

export const referenceTables: Migration = {
  id: '0001-reference-tables',
  async up(db) {
    for (const def of tables(db)) await ensureTable(db, def);
  },
};
