import assert from 'node:assert/strict';
import { createMemoryLogger } from '../../sidecar/lib/log.js';

const parse = (line: string | undefined) => JSON.parse(line ?? 'null') as Record<string, unknown>;

describe('log (one JSON object per line, shared by the sidecar and the agent)', () => {
  it('Can write level, time, message and the scope of a child on each line', () => {
    const { log, lines } = createMemoryLogger('info');
    log.child({ requestId: 'req-1' }).info('restore queued', { runId: 7 });
    log.debug('not at info');
    assert.equal(lines.length, 1);
    const line = parse(lines[0]);
    assert.deepEqual({ ...line, time: typeof line.time }, { level: 'info', time: 'string', requestId: 'req-1', runId: 7, msg: 'restore queued' });
    assert.ok(!Number.isNaN(Date.parse(String(line.time))));
  });

  it('Cannot write the value of a field named like a secret, at the top or one object down', () => {
    const { log, lines } = createMemoryLogger();
    log.warn('refused', { password: 'hunter2-long', headers: { 'x-agent-token': 'agent-token-value', authorization: 'Basic abcdefgh' } });
    for (const value of ['hunter2-long', 'agent-token-value', 'Basic abcdefgh']) assert.ok(!lines[0]!.includes(value), value);
    assert.deepEqual(parse(lines[0]).headers, { 'x-agent-token': '[redacted]', authorization: '[redacted]' });
  });

  it('Cannot write a secret given at start, in a message, a field or an error text', () => {
    const { log, lines } = createMemoryLogger('debug', ['bridge-secret-0123']);
    log.error('failed with bridge-secret-0123', { note: 'x bridge-secret-0123 y', err: new Error('bad key bridge-secret-0123') });
    assert.ok(!lines[0]!.includes('bridge-secret-0123'));
    assert.deepEqual(parse(lines[0]).err, { name: 'Error', message: 'bad key [redacted]' });
  });

  it("Can redact a run's secret added at run time from every logger of the root until it is forgotten", () => {
    const { log, lines } = createMemoryLogger();
    const run = log.child({ runId: 9 });
    const forget = run.addSecret('repo-pass-"quoted"');
    const again = run.addSecret('repo-pass-"quoted"');
    run.info('kopia answered', { stderr: 'wrong password repo-pass-"quoted"' });
    log.info('elsewhere repo-pass-"quoted"');
    forget();
    log.info('one holder left repo-pass-"quoted"');
    again();
    log.info('after the run repo-pass-"quoted"');
    assert.deepEqual(lines.map((l) => l.includes('repo-pass')), [false, false, false, true]);
    assert.equal(parse(lines[0]).stderr, 'wrong password [redacted]');
  });
});
