// The agent's command line. One parser for `npm run agent` and the packaged hyperv-restore-agent.exe.
export type AgentCommand =
  | { kind: 'run'; configFile: string; shutdownOnStdin: boolean }
  | { kind: 'check-config'; configFile: string }
  | { kind: 'version' }
  | { kind: 'usage'; problem: string };

export const agentUsage =
  'usage: hyperv-restore-agent --config FILE [--shutdown-on-stdin] | --check-config FILE | --version';

const valued = ['--config', '--check-config'] as const;
type Valued = (typeof valued)[number];

export function parseAgentArgs(argv: readonly string[]): AgentCommand {
  const values = new Map<Valued, string>();
  let version = false;
  let shutdownOnStdin = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    const [name, inline] = arg.startsWith('--') && arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    if (name === '--version') version = true;
    else if (name === '--shutdown-on-stdin') shutdownOnStdin = true;
    else if ((valued as readonly string[]).includes(name)) {
      const value = inline ?? argv[++i];
      if (!value) return { kind: 'usage', problem: `${name} needs a file name` };
      values.set(name as Valued, value);
    } else return { kind: 'usage', problem: `unknown argument ${arg}` };
  }
  if (version) return { kind: 'version' };
  const check = values.get('--check-config');
  const config = values.get('--config');
  if (check && config) return { kind: 'usage', problem: '--config and --check-config exclude each other' };
  if (check) return { kind: 'check-config', configFile: check };
  if (config) return { kind: 'run', configFile: config, shutdownOnStdin };
  return { kind: 'usage', problem: 'no configuration file given' };
}
