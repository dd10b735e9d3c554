// `npm run package:agent`: release/hyperv-restore-agent-<version>-win-x64/ and its .zip. The cheap steps (bundle, Go
// build, hashing) always run; their results and the other inputs make one digest, and when it equals the digest of
// the package already there, the slow ones (blob injection, licenses, zip) are skipped.
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundleAgent } from './bundle.js';
import { renderChecksums, sha256File } from './checksums.js';
import { goLicenses, nodeLicense, npmLicenses, renderLicenses } from './licenses.js';
import { buildSeaExe } from './sea.js';
import { buildServiceHost } from './service-host.js';
import { writeZip } from './zip.js';

/** Every file of the package, in the zip's order. */
export const PACKAGE_FILES = [
  'hyperv-restore-agent.exe', 'hyperv-restore-service.exe', 'kopia.exe', 'install.ps1', 'uninstall.ps1',
  'agent.example.json', 'README.txt', 'LICENSES.txt', 'SHA256SUMS',
] as const;

const COPIED = ['install.ps1', 'uninstall.ps1', 'agent.example.json'] as const;

export interface PinnedVersions {
  node: string;
  kopia: string;
}

export interface PackageInputs {
  root: string;
  nodeExe: string;
  kopiaExe: string;
  outDir: string;
  workDir: string;
  /** Build even when the package in outDir was made from the same inputs. */
  force?: boolean;
}

export interface AgentPackage {
  name: string;
  version: string;
  dir: string;
  zip: string;
  bundle: string;
  metafile: string;
  cached: boolean;
}

/** scripts/versions.env: the one place the versions are pinned (the ensure-*.sh scripts source it). */
export function readPinnedVersions(root: string): PinnedVersions {
  const values = new Map<string, string>();
  for (const line of readFileSync(join(root, 'scripts', 'versions.env'), 'utf8').split('\n')) {
    const match = /^([A-Z_]+)=(.*)$/.exec(line.trim());
    if (match) values.set(match[1] as string, match[2] as string);
  }
  const value = (key: string) => {
    const v = values.get(key);
    if (!v) throw new Error(`scripts/versions.env has no ${key}`);
    return v;
  };
  return { node: value('NODE_WIN_VERSION'), kopia: value('KOPIA_VERSION') };
}

function packageVersion(root: string): string {
  return (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string }).version;
}

// The packager's own code is an input too: a change to it must not reuse a package it would now build differently.
function packagerDigest(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  const hash = createHash('sha256');
  for (const name of readdirSync(here).filter((n) => n.endsWith('.js')).sort()) hash.update(name).update(readFileSync(join(here, name)));
  return hash.digest('hex');
}

function renderReadme(root: string, version: string, pins: PinnedVersions): string {
  return readFileSync(join(root, 'packaging', 'windows', 'README.txt'), 'utf8')
    .replaceAll('{{version}}', version).replaceAll('{{node}}', pins.node).replaceAll('{{kopia}}', pins.kopia);
}

export async function packageAgent(inputs: PackageInputs): Promise<AgentPackage> {
  const { root, workDir, outDir } = inputs;
  const version = packageVersion(root);
  const pins = readPinnedVersions(root);
  const name = `hyperv-restore-agent-${version}-win-x64`;
  const dir = join(outDir, name);
  const zip = `${dir}.zip`;
  const stamp = join(outDir, `.${name}.inputs`);
  mkdirSync(workDir, { recursive: true });
  mkdirSync(outDir, { recursive: true });

  const bundle = join(workDir, 'agent.cjs');
  const metafile = join(workDir, 'agent.meta.json');
  const { metafile: meta } = await bundleAgent(root, bundle, metafile, version);
  const serviceHost = join(workDir, 'hyperv-restore-service.exe');
  buildServiceHost(root, version, serviceHost);

  const readme = renderReadme(root, version, pins);
  const digest = createHash('sha256').update(JSON.stringify({
    version, pins, packager: packagerDigest(), readme,
    bundle: sha256File(bundle), node: sha256File(inputs.nodeExe), kopia: sha256File(inputs.kopiaExe), serviceHost: sha256File(serviceHost),
    copied: COPIED.map((file) => sha256File(join(root, 'packaging', 'windows', file))),
  })).digest('hex');
  const result: AgentPackage = { name, version, dir, zip, bundle, metafile, cached: true };
  if (!inputs.force && existsSync(zip) && existsSync(stamp) && readFileSync(stamp, 'utf8') === digest) return result;

  rmSync(stamp, { force: true });
  rmSync(zip, { force: true });
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir);
  await buildSeaExe(inputs.nodeExe, pins.node, bundle, workDir, join(dir, 'hyperv-restore-agent.exe'));
  copyFileSync(serviceHost, join(dir, 'hyperv-restore-service.exe'));
  copyFileSync(inputs.kopiaExe, join(dir, 'kopia.exe'));
  for (const file of COPIED) copyFileSync(join(root, 'packaging', 'windows', file), join(dir, file));
  writeFileSync(join(dir, 'README.txt'), readme);
  writeFileSync(join(dir, 'LICENSES.txt'), renderLicenses([
    nodeLicense(pins.node, 'hyperv-restore-agent.exe'),
    ...npmLicenses(root, meta, 'hyperv-restore-agent.exe'),
    ...goLicenses(inputs.kopiaExe, 'kopia.exe', `v${pins.kopia}`),
    ...goLicenses(serviceHost, 'hyperv-restore-service.exe'),
  ]));
  writeFileSync(join(dir, 'SHA256SUMS'), renderChecksums(dir, PACKAGE_FILES.filter((f) => f !== 'SHA256SUMS')));
  writeZip(zip, PACKAGE_FILES.map((file) => ({ name: `${name}/${file}`, file: join(dir, file) })));
  writeFileSync(stamp, digest);
  return { ...result, cached: false };
}
