-- The s3_* tables as an older install of the existing `cloudstorage` module created them (MariaDB/MySQL).
-- Tests and the compatibility check start from here: this install predates s3_hyperv_vm_disks,
-- s3_cloudbackup_runs.run_type and s3_cloudbackup_run_commands.agent_id, and carries columns we never use.
-- The module's storage tables (s3_buckets, s3_user_access_keys) and WHMCS's own tbladdonmodules are here too: the
-- sidecar reads a job's repository from them and our migrations never create or change them.

CREATE TABLE IF NOT EXISTS `s3_cloudbackup_agents` (
  `id` BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
  `client_id` INT UNSIGNED NOT NULL,
  `agent_token` VARCHAR(191) NOT NULL,
  `hostname` VARCHAR(191) NULL,
  `status` ENUM('active','disabled') NOT NULL DEFAULT 'active',
  `last_seen_at` DATETIME NULL,
  `volumes_json` TEXT NULL,
  `volumes_updated_at` DATETIME NULL,
  `agent_version` VARCHAR(32) NULL,
  `created_at` TIMESTAMP NULL DEFAULT CURRENT_TIMESTAMP,
  `updated_at` TIMESTAMP NULL DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP,
  PRIMARY KEY (`id`),
  UNIQUE KEY `uniq_agent_token` (`agent_token`),
  KEY `idx_client_id` (`client_id`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE IF NOT EXISTS `s3_cloudbackup_jobs` (
  `id` INT UNSIGNED NOT NULL AUTO_INCREMENT,
  `client_id` INT UNSIGNED NOT NULL,
  `agent_id` INT UNSIGNED NULL,
  `s3_user_id` INT UNSIGNED NOT NULL DEFAULT 0,
  `name` VARCHAR(191) NOT NULL,
  `source_type` ENUM('s3_compatible','aws','sftp','google_drive','dropbox','smb','nas','local_agent','hyperv') NOT NULL DEFAULT 'local_agent',
  `source_display_name` VARCHAR(191) NULL,
  `source_path` VARCHAR(1024) NULL,
  `dest_bucket_id` INT UNSIGNED NULL,
  `dest_prefix` VARCHAR(1024) NULL,
  `dest_type` ENUM('s3','local') NOT NULL DEFAULT 's3',
  `dest_local_path` VARCHAR(1024) NULL,
  `local_bandwidth_limit_kbps` INT UNSIGNED NULL DEFAULT 0,
  `backup_mode` ENUM('sync','archive') NOT NULL DEFAULT 'sync',
  `engine` ENUM('sync','kopia','disk_image','hyperv') NOT NULL DEFAULT 'sync',
  `schedule_type` ENUM('manual','daily','weekly','cron') NOT NULL DEFAULT 'manual',
  `schedule_time` TIME NULL,
  `schedule_weekday` TINYINT NULL,
  `retention_mode` ENUM('none','keep_last_n','keep_days') NOT NULL DEFAULT 'none',
  `retention_value` INT UNSIGNED NULL,
  `hyperv_enabled` TINYINT(1) NOT NULL DEFAULT 0,
  `hyperv_config` JSON NULL,
  `status` ENUM('active','paused','deleted') NOT NULL DEFAULT 'active',
  `created_at` TIMESTAMP NULL DEFAULT CURRENT_TIMESTAMP,
  `updated_at` TIMESTAMP NULL DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP,
  PRIMARY KEY (`id`),
  KEY `idx_client_id` (`client_id`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE IF NOT EXISTS `s3_cloudbackup_runs` (
  `id` BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
  `run_uuid` VARCHAR(36) NULL,
  `job_id` INT UNSIGNED NOT NULL,
  `agent_id` INT UNSIGNED NULL,
  `trigger_type` ENUM('manual','schedule','validation') NOT NULL DEFAULT 'manual',
  `status` ENUM('queued','starting','running','success','warning','failed','cancelled') NOT NULL DEFAULT 'queued',
  `engine` ENUM('sync','kopia','disk_image','hyperv') NULL,
  `created_at` TIMESTAMP NULL DEFAULT CURRENT_TIMESTAMP,
  `started_at` TIMESTAMP NULL DEFAULT NULL,
  `finished_at` TIMESTAMP NULL DEFAULT NULL,
  `updated_at` TIMESTAMP NULL DEFAULT NULL,
  `progress_pct` DECIMAL(5,2) NULL,
  `bytes_total` BIGINT UNSIGNED NULL,
  `bytes_transferred` BIGINT UNSIGNED NULL,
  `bytes_processed` BIGINT UNSIGNED NULL,
  `objects_total` BIGINT UNSIGNED NULL,
  `objects_transferred` BIGINT UNSIGNED NULL,
  `speed_bytes_per_sec` BIGINT UNSIGNED NULL,
  `eta_seconds` INT UNSIGNED NULL,
  `current_item` VARCHAR(1024) NULL,
  `error_summary` TEXT NULL,
  `worker_host` VARCHAR(191) NULL,
  `cancel_requested` TINYINT(1) NOT NULL DEFAULT 0,
  `stats_json` JSON NULL,
  `progress_json` JSON NULL,
  `log_ref` VARCHAR(255) NULL,
  `validation_status` VARCHAR(32) NULL,
  `disk_manifests_json` JSON NULL,
  PRIMARY KEY (`id`),
  KEY `idx_run_uuid` (`run_uuid`),
  KEY `idx_job_status` (`job_id`, `status`),
  CONSTRAINT `fk_runs_job` FOREIGN KEY (`job_id`) REFERENCES `s3_cloudbackup_jobs` (`id`) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE IF NOT EXISTS `s3_cloudbackup_run_commands` (
  `id` BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
  `run_id` BIGINT UNSIGNED NULL,
  `type` VARCHAR(64) NOT NULL,
  `payload_json` JSON NULL,
  `status` ENUM('pending','processing','completed','failed') NOT NULL DEFAULT 'pending',
  `result_message` MEDIUMTEXT NULL,
  `created_at` TIMESTAMP NULL DEFAULT CURRENT_TIMESTAMP,
  `processed_at` TIMESTAMP NULL DEFAULT NULL,
  PRIMARY KEY (`id`),
  KEY `idx_run_status` (`run_id`, `status`),
  CONSTRAINT `fk_commands_run` FOREIGN KEY (`run_id`) REFERENCES `s3_cloudbackup_runs` (`id`) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE IF NOT EXISTS `s3_cloudbackup_run_events` (
  `id` BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
  `run_id` BIGINT UNSIGNED NOT NULL,
  `ts` DATETIME NOT NULL,
  `type` VARCHAR(32) NOT NULL,
  `level` VARCHAR(16) NOT NULL DEFAULT 'info',
  `code` VARCHAR(64) NULL,
  `message_id` VARCHAR(64) NULL,
  `params_json` MEDIUMTEXT NULL,
  PRIMARY KEY (`id`),
  KEY `idx_run_ts` (`run_id`, `ts`),
  KEY `idx_run_id_id` (`run_id`, `id`),
  CONSTRAINT `fk_events_run` FOREIGN KEY (`run_id`) REFERENCES `s3_cloudbackup_runs` (`id`) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE IF NOT EXISTS `s3_hyperv_vms` (
  `id` INT UNSIGNED NOT NULL AUTO_INCREMENT,
  `job_id` INT UNSIGNED NOT NULL,
  `vm_name` VARCHAR(255) NOT NULL,
  `vm_guid` VARCHAR(64) NULL,
  `generation` TINYINT NOT NULL DEFAULT 2,
  `is_linux` TINYINT(1) NOT NULL DEFAULT 0,
  `integration_services` TINYINT(1) NOT NULL DEFAULT 1,
  `rct_enabled` TINYINT(1) NOT NULL DEFAULT 0,
  `backup_enabled` TINYINT(1) NOT NULL DEFAULT 1,
  `notes` TEXT NULL,
  `created_at` TIMESTAMP NULL DEFAULT CURRENT_TIMESTAMP,
  `updated_at` TIMESTAMP NULL DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP,
  PRIMARY KEY (`id`),
  UNIQUE KEY `uniq_job_vm_guid` (`job_id`, `vm_guid`),
  CONSTRAINT `fk_vms_job` FOREIGN KEY (`job_id`) REFERENCES `s3_cloudbackup_jobs` (`id`) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE IF NOT EXISTS `s3_hyperv_backup_points` (
  `id` INT UNSIGNED NOT NULL AUTO_INCREMENT,
  `vm_id` INT UNSIGNED NOT NULL,
  `run_id` BIGINT UNSIGNED NOT NULL,
  `backup_type` ENUM('Full','Incremental') NOT NULL,
  `manifest_id` VARCHAR(128) NULL,
  `parent_backup_id` INT UNSIGNED NULL,
  `vm_config_json` JSON NULL,
  `disk_manifests` JSON NULL,
  `total_size_bytes` BIGINT UNSIGNED NULL,
  `changed_size_bytes` BIGINT UNSIGNED NULL,
  `duration_seconds` INT UNSIGNED NULL,
  `consistency_level` ENUM('Crash','Application','CrashNoCheckpoint') NULL,
  `warnings_json` JSON NULL,
  `warning_code` VARCHAR(64) NULL,
  `has_warnings` TINYINT(1) NOT NULL DEFAULT 0,
  `created_at` TIMESTAMP NULL DEFAULT CURRENT_TIMESTAMP,
  `expires_at` TIMESTAMP NULL DEFAULT NULL,
  PRIMARY KEY (`id`),
  KEY `idx_vm_created` (`vm_id`, `created_at`),
  CONSTRAINT `fk_points_vm` FOREIGN KEY (`vm_id`) REFERENCES `s3_hyperv_vms` (`id`) ON DELETE CASCADE,
  CONSTRAINT `fk_points_run` FOREIGN KEY (`run_id`) REFERENCES `s3_cloudbackup_runs` (`id`) ON DELETE CASCADE,
  CONSTRAINT `fk_points_parent` FOREIGN KEY (`parent_backup_id`) REFERENCES `s3_hyperv_backup_points` (`id`) ON DELETE SET NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- WHMCS's addon settings (one row per module setting). The cloudstorage module keeps its S3 endpoint, region and the
-- key its stored access keys are encrypted with here.
CREATE TABLE IF NOT EXISTS `tbladdonmodules` (
  `module` VARCHAR(64) NOT NULL,
  `setting` VARCHAR(64) NOT NULL,
  `value` TEXT NOT NULL,
  KEY `module_setting` (`module`, `setting`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE IF NOT EXISTS `s3_buckets` (
  `id` INT UNSIGNED NOT NULL AUTO_INCREMENT,
  `user_id` INT UNSIGNED NOT NULL,
  `name` VARCHAR(255) NOT NULL,
  `is_active` TINYINT(1) NOT NULL DEFAULT 1,
  `created_at` TIMESTAMP NULL DEFAULT CURRENT_TIMESTAMP,
  `updated_at` TIMESTAMP NULL DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP,
  PRIMARY KEY (`id`),
  UNIQUE KEY `uniq_bucket_name` (`name`),
  KEY `idx_user_id` (`user_id`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- access_key and secret_key hold base64(IV || AES-256-CBC ciphertext), encrypted with the cloudbackup_encryption_key
-- (or encryption_key) setting; the newest row of a user is the one in use.
CREATE TABLE IF NOT EXISTS `s3_user_access_keys` (
  `id` INT UNSIGNED NOT NULL AUTO_INCREMENT,
  `user_id` INT UNSIGNED NOT NULL,
  `access_key` VARCHAR(255) NULL,
  `secret_key` VARCHAR(255) NULL,
  `created_at` TIMESTAMP NULL DEFAULT CURRENT_TIMESTAMP,
  PRIMARY KEY (`id`),
  KEY `idx_user_id` (`user_id`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
