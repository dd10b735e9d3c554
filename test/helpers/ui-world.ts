// The world of the browser tests: a SQLite test database with the demo client (web-01: Full + 2 Incrementals),
// a VM with 25 points for paging (the newest one broken), another client's VM, a real sidecar process in demo mode
// (which also accepts signed bridge requests) and Debian's Chromium.
import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import { seedDemoClient, type SeedResult } from '../../sidecar/demo/seed-demo-client.js';
import { launchChromium, watchPageErrors } from './browser.js';
import { createTestDatabase, type TestDatabase } from './database.js';
import { installFakeBridge, type WhmcsTheme } from './fake-bridge.js';
import { TEST_BRIDGE_SECRET } from './http.js';
import { startSidecar, type SidecarProcess } from './sidecar-process.js';

export interface UiWorld {
  database: TestDatabase;
  sidecar: SidecarProcess;
  browser: Browser;
  demo: SeedResult;
  paging: SeedResult;
  foreign: SeedResult;
}

export async function restoreRuns(world: UiWorld): Promise<Record<string, unknown>[]> {
  return (await world.database.db('s3_cloudbackup_runs').where('run_type', 'hyperv_restore').orderBy('id')) as Record<string, unknown>[];
}

/** A restore of the demo VM's newest point started through the demo API (client 1); its run id. */
export async function startDemoRestore(world: UiWorld, target: string): Promise<number> {
  const res = await fetch(`${world.sidecar.baseUrl}/api/hyperv/restores`, {
    method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ backup_point_id: world.demo.backupPointIds.at(-1), target_path: target }),
  });
  const body = (await res.json()) as { restore_run_id: number; message: string };
  if (res.status !== 200) throw new Error(`the restore did not start: ${res.status} ${body.message}`);
  return body.restore_run_id;
}

export async function setUpWorld(): Promise<UiWorld> {
  const database = await createTestDatabase('sqlite');
  const db = database.db;
  const demo = await seedDemoClient(db, { clientId: 1 });
  // 25 points: a Full and 24 Incrementals; the newest lost its parent (the FK set it NULL), so it is broken.
  const paging = await seedDemoClient(db, {
    clientId: 1, vmName: 'app-02', vmGuid: '0c6b3f4e-1d2a-4e5f-8a9b-0c1d2e3f4a02',
    points: [{ backupType: 'Full' }, ...Array.from({ length: 24 }, () => ({ backupType: 'Incremental' as const }))],
  });
  await db('s3_hyperv_backup_points').where('id', paging.backupPointIds.at(-1)!).update({ parent_backup_id: null });
  // The one before it finished with a warning (still restorable).
  await db('s3_hyperv_backup_points').where('id', paging.backupPointIds.at(-2)!)
    .update({ has_warnings: 1, warning_code: 'CHECKPOINT_FALLBACK', warnings_json: JSON.stringify(['Production checkpoint failed; a crash-consistent one was used']), consistency_level: 'Crash' });
  const foreign = await seedDemoClient(db, { clientId: 2, vmName: 'other-secret-vm', vmGuid: '9f9f9f9f-0000-4000-8000-000000000002', hostname: 'HV-OTHER', jobName: 'Other client job' });
  const sidecar = await startSidecar({ DEMO_MODE: '1', DATABASE_URL: database.url, BRIDGE_SECRET: TEST_BRIDGE_SECRET, LOG_LEVEL: 'info' });
  const browser = await launchChromium();
  return { database, sidecar, browser, demo, paging, foreign };
}

export async function tearDownWorld(world: UiWorld | undefined): Promise<void> {
  await world?.browser.close();
  await world?.sidecar.stop();
  await world?.database.drop();
}


export interface UiPageState {
  world: UiWorld;
  page: Page;
  /** What the page reported as broken; a test may drop what it expects before the check after it. */
  problems: string[];
}

/**
 * Mocha hooks for a describe: one world, a fresh page per test (`width` wide; inside the fake WHMCS page of `theme`,
 * or in demo mode without one), and no page errors after each test. `bind` gets the state before each test.
 */
export function withUiPage(width: number, theme: WhmcsTheme | undefined, bind: (state: UiPageState) => void): void {
  const state = {} as UiPageState;
  before(async () => { state.world = await setUpWorld(); });
  after(() => tearDownWorld(state.world));
  beforeEach(async () => {
    state.page = await state.world.browser.newPage({ viewport: { width, height: 900 }, reducedMotion: 'reduce' });
    if (theme) await installFakeBridge(state.page, { sidecarUrl: state.world.sidecar.baseUrl, secret: TEST_BRIDGE_SECRET, clientId: 1, theme });
    state.problems = watchPageErrors(state.page);
    bind(state);
  });
  afterEach(async () => {
    await state.page.close();
    assert.deepEqual(state.problems, [], 'the page reported no errors');
  });
}
