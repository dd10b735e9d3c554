// The Windows release package, built once per test run (and kept between runs by the packager's own cache) for every
// test that needs it. Building it the first time takes minutes (postject's injection into node.exe).
import { join } from 'node:path';
import { packageAgent, type AgentPackage } from '../../packaging/package-agent.js';
import { projectPath } from './paths.js';
import { startWindowsProgram, windowsPath, windowsTools, type WindowsProcess, type WindowsRunOptions } from './wine.js';

let built: Promise<AgentPackage> | null = null;

export function releasePackage(): Promise<AgentPackage> {
  if (!built) {
    const tools = windowsTools();
    built = packageAgent({
      root: projectPath(), nodeExe: tools.nodeExe, kopiaExe: tools.kopiaExe,
      outDir: projectPath('release'), workDir: projectPath('build', 'agent-package'),
    });
  }
  return built;
}

/** Starts the packaged hyperv-restore-agent.exe under Wine. fetch works through the same keep-alive preload as the
 * Windows node.exe gets, given by NODE_OPTIONS: a single executable takes no Node options on its command line. */
export async function startPackagedAgent(args: string[], options: WindowsRunOptions): Promise<WindowsProcess> {
  const pkg = await releasePackage();
  const tools = windowsTools();
  return startWindowsProgram(join(pkg.dir, 'hyperv-restore-agent.exe'), args, {
    ...options,
    env: { NODE_SKIP_PLATFORM_CHECK: '1', NODE_OPTIONS: `--require ${windowsPath(tools.keepAlivePreload, tools)}`, ...options.env },
  });
}

/** Linux path of the packaged kopia.exe. */
export async function packagedKopia(): Promise<string> {
  return join((await releasePackage()).dir, 'kopia.exe');
}
