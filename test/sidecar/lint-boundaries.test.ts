import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { ESLint } from 'eslint';
import { PROJECT_ROOT, projectPath } from '../helpers/paths.js';

// Lints code as if it were the file at `path`, with the project's own eslint.config.js.
async function restrictedImports(path: string, code: string): Promise<string[]> {
  const eslint = new ESLint({ cwd: PROJECT_ROOT });
  const [result] = await eslint.lintText(code, { filePath: projectPath(path) });
  return (result?.messages ?? []).filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);
}

describe('Import boundaries of the shared code (eslint)', function () {
  this.timeout(60_000);

  it('Rejects the fixture that imports a service from sidecar/lib', async () => {
    const fixture = await readFile(projectPath('test/fixtures/lint/lib-imports-service.ts.txt'), 'utf8');
    const messages = await restrictedImports('sidecar/lib/lint-fixture.ts', fixture);
    assert.equal(messages.length, 1);
    assert.match(messages[0]!, /sidecar\/lib is shared with the agent and the browser/);
  });

  it('Rejects the fixture that imports the run from the restore engine', async () => {
    const fixture = await readFile(projectPath('test/fixtures/lint/engine-imports-run.ts.txt'), 'utf8');
    const messages = await restrictedImports('agent/engine/lint-fixture.ts', fixture);
    assert.equal(messages.length, 1);
    assert.match(messages[0]!, /The restore engine may import only/);
  });

  const cases: [string, string, boolean][] = [
    ['sidecar/lib/x.ts', "import { createDb } from '../db/connection.js';", false],
    ['sidecar/lib/x.ts', "import type { Deps } from '../deps.js';", false],
    ['sidecar/lib/x.ts', "import { respond } from '../http/respond.js';", false],
    ['sidecar/lib/x.ts', "import { validateFinish } from '../schemas/agent.js';", true],
    ['sidecar/lib/x.ts', "import { formatBytes } from './format-bytes.js';", true],
    ['sidecar/lib/x.ts', "import { Ajv } from 'ajv';", true],
    ['sidecar/schemas/agent.ts', "import { RUN_STATUSES } from '../services/run-status.js';", false],
    ['sidecar/schemas/agent.ts', "import { parseRunRef } from './client.js';", false],
    ['sidecar/schemas/agent.ts', "import { compileValidator } from '../lib/validator.js';", true],
    ['sidecar/schemas/agent-payload.ts', "import { listVms } from '../services/vms.js';", false],
    ['agent/x.ts', "import { finishRun } from '../sidecar/services/run-lifecycle.js';", false],
    ['agent/x.ts', "import { formatBytes } from '../sidecar/lib/format-bytes.js';", true],
    ['agent/engine/x.ts', "import { RestoreReporter } from '../run/reporter.js';", false],
    ['agent/engine/x.ts', "import type { AgentConfig } from '../config.js';", false],
    ['agent/engine/x.ts', "import { SidecarClient } from '../sidecar-client.js';", false],
    ['agent/engine/x.ts', "import { runPollLoop } from '../poll-loop.js';", false],
    ['agent/engine/x.ts', "import { finishRun } from '../../sidecar/services/run-lifecycle.js';", false],
    ['agent/engine/x.ts', "import { readChunkMap } from './chunk-map.js';", true],
    ['agent/engine/x.ts', "import type { AgentPlatform } from '../platform/platform.js';", true],
    ['agent/engine/x.ts', "import { formatBytes } from '../../sidecar/lib/format-bytes.js';", true],
    ['agent/engine/x.ts', "import { MANIFEST_ID_PATTERN } from '../../sidecar/schemas/agent.js';", true],
    ['agent/run/x.ts', "import { openRepository } from '../engine/repository-session.js';", true],
  ];
  for (const [path, line, allowed] of cases) {
    it(`${allowed ? 'Can let' : 'Rejects letting'} ${path} ${line}`, async () => {
      const messages = await restrictedImports(path, `${line}\nexport {};\n`);
      assert.equal(messages.length, allowed ? 0 : 1, messages.join('; '));
    });
  }
});
