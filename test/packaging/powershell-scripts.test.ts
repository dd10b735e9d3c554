// Debian has no PowerShell, so install.ps1 and uninstall.ps1 are never run here (docs/windows-service.md says what
// that leaves untested). These checks catch what breaks them on a host nonetheless: a path of the build machine, a
// variable that is neither declared nor set (strict mode stops the script there), a documented parameter the script
// does not have, a file list that is not the package's.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { PACKAGE_FILES } from '../../packaging/package-agent.js';
import { projectPath } from '../helpers/paths.js';

const SCRIPTS = ['install.ps1', 'uninstall.ps1'] as const;
const AUTOMATIC = new Set(['_', 'true', 'false', 'null', 'psscriptroot', 'lastexitcode', 'matches', 'erroractionpreference']);

const source = (name: string) => readFileSync(projectPath('packaging', 'windows', name), 'utf8');

function withoutComments(text: string): string {
  return text.replace(/<#[\s\S]*?#>/g, '').replace(/(^|\s)#.*$/gm, '$1');
}

/** The text between `open` (which ends with "(") and its matching ")". */
function parenthesised(text: string, open: RegExp): string[] {
  const found: string[] = [];
  for (const match of text.matchAll(open)) {
    let depth = 1;
    let i = (match.index ?? 0) + match[0].length;
    const start = i;
    for (; i < text.length && depth > 0; i++) depth += text[i] === '(' ? 1 : text[i] === ')' ? -1 : 0;
    found.push(text.slice(start, i - 1));
  }
  return found;
}

function declaredParameters(text: string): Set<string> {
  const block = parenthesised(withoutComments(text), /^param\(/gim).join('\n');
  return new Set([...block.matchAll(/\]\s*\$(\w+)/g)].map((m) => (m[1] as string).toLowerCase()));
}

function knownVariables(text: string): Set<string> {
  const code = withoutComments(text);
  const known = new Set([...declaredParameters(text), ...AUTOMATIC]);
  for (const args of parenthesised(code, /function\s+[\w-]+\s*\(/gi)) for (const m of args.matchAll(/\$(\w+)/g)) known.add((m[1] as string).toLowerCase());
  for (const m of code.matchAll(/\$(\w+)\s*=[^=]/g)) known.add((m[1] as string).toLowerCase());
  for (const m of code.matchAll(/foreach\s*\(\s*\$(\w+)\s+in\b/gi)) known.add((m[1] as string).toLowerCase());
  return known;
}

function usedVariables(text: string): string[] {
  const code = withoutComments(text);
  const names = [...code.matchAll(/\$\{(\w+)\}|\$(\w+)(?![\w:])/g)].map((m) => ((m[1] ?? m[2]) as string).toLowerCase());
  return [...new Set(names)];
}

describe('Windows install scripts', () => {
  for (const name of SCRIPTS) {
    it(`Cannot contain a path of the build machine (${name})`, () => {
      const code = withoutComments(source(name));
      assert.deepEqual(code.match(/[A-Za-z]:\\|\/(work|root|home|tmp|usr|opt)\/|\\\\[\w.-]+\\/g) ?? [], []);
    });

    it(`Cannot read a variable it neither declares nor sets (${name})`, () => {
      const known = knownVariables(source(name));
      assert.deepEqual(usedVariables(source(name)).filter((v) => !known.has(v)), []);
    });
  }

  it('Can take every parameter that README.txt and the install guide give it', () => {
    const declared = new Map(SCRIPTS.map((s) => [s, declaredParameters(source(s))]));
    const readme = source('README.txt');
    const readmeParams = [...readme.matchAll(/\s-([A-Z][A-Za-z]+)/g)].map((m) => m[1] as string).filter((p) => !['ExecutionPolicy', 'File'].includes(p));
    assert.ok(readmeParams.includes('SidecarUrl') && readmeParams.includes('AgentConf'), 'README.txt shows the installation command');
    const all = new Set([...(declared.get('install.ps1') ?? []), ...(declared.get('uninstall.ps1') ?? [])]);
    assert.deepEqual(readmeParams.filter((p) => !all.has(p.toLowerCase())), []);
    const guide = readFileSync(projectPath('docs', 'install-whmcs.md'), 'utf8').split('\n');
    let checked = 0;
    for (const line of guide) {
      const script = SCRIPTS.find((s) => line.includes(`${s} -`));
      if (!script) continue;
      const params = [...line.slice(line.indexOf(script)).matchAll(/\s-([A-Z][A-Za-z]+)/g)].map((m) => m[1] as string);
      assert.deepEqual(params.filter((p) => !declared.get(script)?.has(p.toLowerCase())), [], line);
      checked += params.length;
    }
    assert.ok(checked > 0, 'the install guide runs install.ps1 with parameters');
  });

  it('Can copy exactly the files of the package (install.ps1)', () => {
    const code = withoutComments(source('install.ps1'));
    const lists = [...code.matchAll(/^\$(Programs|Documents) = @\(([^)]*)\)/gm)].flatMap((m) => [...(m[2] as string).matchAll(/'([^']+)'/g)].map((f) => f[1]));
    assert.deepEqual(lists.sort(), [...PACKAGE_FILES].sort());
  });
});
