// Every schema step, in order. Append new steps; never edit one that has shipped.
import { referenceTables } from './0001-reference-tables.js';
import { restoreTables } from './0002-restore-tables.js';
import { restoreIndexes } from './0003-restore-indexes.js';
import { agentEventKeys } from './0004-agent-event-keys.js';
import { restoreTargets } from './0005-restore-targets.js';
import { ownRestoreCommandType } from './0006-own-restore-command-type.js';
import { restoreNotices } from './0007-restore-notices.js';
import type { Migration } from './types.js';

export const MIGRATIONS: readonly Migration[] = [referenceTables, restoreTables, restoreIndexes, agentEventKeys, restoreTargets, ownRestoreCommandType,
  restoreNotices];
