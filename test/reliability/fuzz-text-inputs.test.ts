// Property-based: a lone UTF-16 surrogate, a control, bidi-override, zero-width or other invisible character hidden
// inside an otherwise valid value (a real target folder, a real disk path, an admin VM filter, an agent's event text
// or progress) is refused with 400 naming the field, never a 5xx, and changes no row.
import assert from 'node:assert/strict';
import fc from 'fast-check';
import request from 'supertest';
import { encode } from '../helpers/fuzz-inputs.js';
import { clientPost, createTestApp, signedRequest, type TestApp } from '../helpers/http.js';
import { seedFixtures, snapshotTables, type Fixtures } from '../helpers/fixtures.js';

const SEED = Number(process.env.FUZZ_SEED ?? 20261201);
const RUNS = Number(process.env.FUZZ_RUNS ?? 120);

const range = (from: number, to: number) => fc.integer({ min: from, max: to }).map((c) => String.fromCodePoint(c));
/** One character of each class the issue names, drawn from the whole class where it is a range. */
const HIDDEN = fc.oneof(
  range(0x00, 0x1f), fc.constant('\u007f'), range(0x80, 0x9f), // C0, DEL, C1
  range(0x202a, 0x202e), range(0x2066, 0x2069), fc.constantFrom('\u200e', '\u200f', '\u061c'), // bidi
  fc.constantFrom('\u200b', '\u200c', '\u200d', '\u2060', '\ufeff'), // zero-width
  fc.constantFrom('\u00ad', '\u034f', '\u115f', '\u1160', '\u17b4', '\u180e', '\u2028', '\u2029', '\u3164', '\uffa0', '\u00a0', '\u3000', '\u2800', '\ufe0f', '\u{e0041}'),
);
const SURROGATE = range(0xd800, 0xdfff);

/** `base` with `c` put at a position inside it (never before its first character, so it stays the same kind of value). */
const hiddenIn = (base: string, chars: fc.Arbitrary<string>) =>
  fc.tuple(chars, fc.integer({ min: 1, max: base.length })).map(([c, at]) => ({ c, text: base.slice(0, at) + c + base.slice(at) }));

describe('Text inputs with hidden characters inside valid values (MariaDB)', function () {
  this.timeout(600_000);
  let t: TestApp;
  let f: Fixtures;
  let runId: number;
  let agent: Record<string, string>;

  before(async () => {
    t = await createTestApp('mariadb', { RATE_LIMIT_RESTORES_PER_MINUTE: '100000' });
    f = await seedFixtures(t.db);
    agent = { 'X-Agent-ID': String(f.a.agentId), 'X-Agent-Token': f.a.agentToken };
    runId = Number((await clientPost(t.app, f.a.clientId, '/api/hyperv/restores', { backup_point_id: f.a.fullPointId, target_path: 'D:\\Claimed' }).expect(200)).body.restore_run_id);
    await request(t.app).post('/agent/commands/claim').set(agent).expect(200);
  });
  after(async () => t.drop());

  /** Rows without the agents' last_seen_at, which any authenticated agent call may refresh by design. */
  async function rows(): Promise<Record<string, unknown[]>> {
    const snap = await snapshotTables(t.db);
    snap.s3_cloudbackup_agents = snap.s3_cloudbackup_agents!.map((r) => ({ ...(r as Record<string, unknown>), last_seen_at: null }));
    return snap;
  }

  async function refused(send: () => PromiseLike<{ status: number; body: { status?: string; message?: string } }>, field: string, what: string): Promise<void> {
    const before = await rows();
    const res = await send();
    assert.equal(res.status, 400, `${what}: ${JSON.stringify(res.body)}`);
    assert.equal(res.body.status, 'fail');
    assert.ok(res.body.message?.startsWith(`${field} contains `), `${what}: ${res.body.message}`);
    assert.deepEqual(await rows(), before, `${what} changed rows`);
  }

  it('Rejects a target_path with a hidden character anywhere in a valid folder, as JSON and as a form', async () => {
    const bases = fc.constantFrom('C:\\Restored\\web01', '\\\\nas01\\restores\\web-a', 'E:\\VMs\\web01\\2026');
    // A form cannot carry a lone surrogate (UTF-8 has no bytes for it): JSON only.
    const input = fc.tuple(bases, fc.boolean()).chain(([base, asForm]) => hiddenIn(base, asForm ? HIDDEN : fc.oneof(HIDDEN, SURROGATE)).map((h) => ({ ...h, asForm })));
    await fc.assert(fc.asyncProperty(input, async ({ c, text, asForm }) => {
      const what = `${asForm ? 'form' : 'JSON'} ${JSON.stringify(text)} (U+${c.codePointAt(0)!.toString(16)})`;
      const body = asForm ? `backup_point_id=${f.a.fullPointId}&target_path=${encode(text)}` : { backup_point_id: f.a.fullPointId, target_path: text };
      await refused(() => clientPost(t.app, f.a.clientId, '/api/hyperv/restores', body), 'target_path', what);
    }), { numRuns: RUNS, seed: SEED });
  });

  it('Rejects a disk_filter entry with a hidden character inside a real disk path', async () => {
    await fc.assert(fc.asyncProperty(fc.constantFrom(...f.a.diskPaths).chain((p) => hiddenIn(p, fc.oneof(HIDDEN, SURROGATE))), async ({ text }) => {
      await refused(() => clientPost(t.app, f.a.clientId, '/api/hyperv/restores', { backup_point_id: f.a.fullPointId, target_path: 'C:\\Restored\\ok', disk_filter: [text] }),
        'disk_filter', JSON.stringify(text));
    }), { numRuns: RUNS, seed: SEED });
  });

  it('Rejects an admin VM filter with a hidden character inside a VM name', async () => {
    await fc.assert(fc.asyncProperty(hiddenIn('web-a', HIDDEN), async ({ text }) => {
      await refused(() => signedRequest(t.app, { path: `/admin/api/runs?vm=${encode(text)}`, adminId: 1 }), 'vm', JSON.stringify(text));
    }), { numRuns: Math.ceil(RUNS / 2), seed: SEED });
  });

  it("Rejects a lone surrogate inside an agent's event text or progress, never a 5xx", async () => {
    const event = (message: string) => ({ events: [{ id: 'evt-0001-abcdef', ts: new Date().toISOString(), type: 'error', level: 'error', message_id: 'HYPERV_RESTORE_NOTICE',
      params: { code: 'X', message } }] });
    const beat = (item: string) => ({ status: 'running', bytes_total: 10, bytes_done: 1, progress_pct: 10, speed_bytes_per_sec: 1, eta_seconds: 9, current_item: item, disks: [] });
    await fc.assert(fc.asyncProperty(hiddenIn('kopia: cannot read the object', SURROGATE), fc.boolean(), async ({ text }, asEvent) => {
      const path = `/agent/runs/${runId}/${asEvent ? 'events' : 'heartbeat'}`;
      const field = asEvent ? 'body.events[0].params.message' : 'body.current_item';
      await refused(() => request(t.app).post(path).set(agent).send(asEvent ? event(text) : beat(text)), field, JSON.stringify(text));
    }), { numRuns: Math.ceil(RUNS / 2), seed: SEED });
  });
});
