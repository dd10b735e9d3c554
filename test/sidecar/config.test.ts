import assert from 'node:assert/strict';
import { ConfigError, loadConfig } from '../../sidecar/config.js';
import { runSidecarExpectingExit } from '../helpers/sidecar-process.js';

const SECRET = 's'.repeat(32);

describe('Sidecar configuration', function () {
  it('Can use the contract defaults', () => {
    const config = loadConfig({ BRIDGE_SECRET: SECRET });
    assert.equal(config.databaseUrl, 'sqlite://./data/sidecar.db');
    assert.equal(config.host, '127.0.0.1');
    assert.equal(config.port, 8787);
    assert.equal(config.watchdogTimeoutSeconds, 720);
    assert.equal(config.watchdogSchedule, '* * * * *');
    assert.equal(config.logLevel, 'info');
    assert.equal(config.demoMode, false);
    assert.equal(config.listingCacheMs, 2000);
  });

  const bad: [string, NodeJS.ProcessEnv, string][] = [
    ['a missing bridge secret', {}, 'BRIDGE_SECRET'],
    ['a short bridge secret', { BRIDGE_SECRET: 'short' }, 'BRIDGE_SECRET'],
    ['a port that is not a number', { BRIDGE_SECRET: SECRET, PORT: 'http' }, 'PORT'],
    ['a port out of range', { BRIDGE_SECRET: SECRET, PORT: '70000' }, 'PORT'],
    ['an unknown log level', { BRIDGE_SECRET: SECRET, LOG_LEVEL: 'loud' }, 'LOG_LEVEL'],
    ['an unknown database scheme', { BRIDGE_SECRET: SECRET, DATABASE_URL: 'postgres://x/y' }, 'DATABASE_URL'],
    ['a database URL that does not parse', { BRIDGE_SECRET: SECRET, DATABASE_URL: 'mysql://[bad/whmcs' }, 'DATABASE_URL'],
    ['an unknown database URL option', { BRIDGE_SECRET: SECRET, DATABASE_URL: 'mysql://u@localhost/whmcs?ssl=off' }, 'DATABASE_URL'],
    ['a relative MariaDB socket path', { BRIDGE_SECRET: SECRET, DATABASE_URL: 'mysql://u@localhost/whmcs?socket=mysqld.sock' }, 'DATABASE_URL'],
    ['a watchdog timeout of zero', { BRIDGE_SECRET: SECRET, WATCHDOG_TIMEOUT_SECONDS: '0' }, 'WATCHDOG_TIMEOUT_SECONDS'],
    ['a watchdog schedule that is not a cron expression', { BRIDGE_SECRET: SECRET, WATCHDOG_SCHEDULE: 'every minute' }, 'WATCHDOG_SCHEDULE'],
    ['a listing cache time that is not a whole number', { BRIDGE_SECRET: SECRET, LISTING_CACHE_MS: '1.5s' }, 'LISTING_CACHE_MS'],
    ['a listing cache time over a minute', { BRIDGE_SECRET: SECRET, LISTING_CACHE_MS: '60001' }, 'LISTING_CACHE_MS'],
    ['demo mode on a public address', { DEMO_MODE: '1', HOST: '0.0.0.0' }, 'HOST'],
    ['a demo mode that is not 0 or 1', { DEMO_MODE: 'yes', BRIDGE_SECRET: SECRET }, 'DEMO_MODE'],
  ];
  for (const [what, env, variable] of bad) {
    it(`Rejects ${what}, naming ${variable}`, () => {
      assert.throws(() => loadConfig(env), (err: unknown) => err instanceof ConfigError && err.variable === variable);
    });
  }

  it('Can take a MariaDB Unix socket in DATABASE_URL', () => {
    const url = 'mysql://whmcs:pw@localhost/whmcs?socket=/run/mysqld/mysqld.sock';
    assert.equal(loadConfig({ BRIDGE_SECRET: SECRET, DATABASE_URL: url }).databaseUrl, url);
  });

  it('Can run demo mode on loopback without a bridge secret', () => {
    assert.equal(loadConfig({ DEMO_MODE: '1' }).demoMode, true);
  });

  it('Cannot start the sidecar with a short BRIDGE_SECRET: clear message, exit code 1', async () => {
    const { code, stderr } = await runSidecarExpectingExit({ BRIDGE_SECRET: 'too-short' });
    assert.equal(code, 1);
    assert.match(stderr, /invalid configuration: BRIDGE_SECRET: must be at least 32 characters/);
  });
});
