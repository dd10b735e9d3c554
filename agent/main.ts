// CLI entry: `npm run agent -- --config FILE` (--check-config FILE, --version: cli-args.ts). Config -> logger ->
// platform -> sidecar client -> poll loop. The platform's stop signals (SIGTERM, SIGINT, SIGHUP; on Windows also
// SIGBREAK) and, with --shutdown-on-stdin (the Windows service host's stop), stdin closing stop cleanly (a restore in
// progress is stopped and reported, kopia ended, .partial removed); a second signal exits now, and whatever the way
// out, no kopia child is left running.
import { hostname } from 'node:os';
import { coerceError } from '../sidecar/lib/errors.js';
import { createLogger } from '../sidecar/lib/log.js';
import { SecretList } from '../sidecar/lib/secret-list.js';
import type { ClaimedCommand } from '../sidecar/schemas/agent.js';
import { agentUsage, parseAgentArgs } from './cli-args.js';
import { AgentConfigError, configSecrets, loadAgentConfig, type AgentConfig } from './config.js';
import { createPlatform } from './platform/current.js';
import { runPollLoop } from './poll-loop.js';
import { killKopiaChildren } from './engine/kopia.js';
import { openRepository } from './engine/repository-session.js';
import { runRestore } from './run/run-restore.js';
import { SidecarClient, SidecarError } from './sidecar-client.js';
import { agentVersion } from './version.js';

// Exits for --version, --check-config and usage errors; returns what `run` needs otherwise.
function commandLine(): { config: Readonly<AgentConfig>; shutdownOnStdin: boolean } {
  const command = parseAgentArgs(process.argv.slice(2));
  if (command.kind === 'version') {
    process.stdout.write(`${agentVersion}\n`);
    process.exit(0);
  }
  if (command.kind === 'usage') {
    process.stderr.write(`agent: ${command.problem}\n${agentUsage}\n`);
    process.exit(1);
  }
  let config: Readonly<AgentConfig>;
  try {
    config = loadAgentConfig(command.configFile);
  } catch (thrown) {
    if (!(thrown instanceof AgentConfigError)) throw thrown;
    process.stderr.write(`agent: invalid configuration: ${thrown.message}\n`);
    process.exit(1);
  }
  if (command.kind === 'check-config') {
    process.stdout.write(`agent: configuration is valid (agent ${config.agentId}, sidecar ${config.sidecarUrl})\n`);
    process.exit(0);
  }
  return { config, shutdownOnStdin: command.shutdownOnStdin };
}

// Grows with each claimed command's repository secrets: the logger and the client redact those from then on.
const secrets = new SecretList();

async function main(): Promise<void> {
  const { config, shutdownOnStdin } = commandLine();
  secrets.add(...configSecrets(config));
  const log = createLogger({ level: config.logLevel, secrets: configSecrets(config) }).child({ agentId: config.agentId });
  const platform = createPlatform(process.platform, {
    onCommand: (file, purpose, path) => log.info('file attribute command', { command: file, purpose, path }),
  });
  const stop = new AbortController();
  let signals = 0;
  const onSignal = (signal: string) => {
    if (++signals > 1) process.exit(1);
    log.info('shutting down', { signal });
    stop.abort();
  };
  for (const signal of platform.stopSignals) process.on(signal, onSignal);
  process.on('exit', killKopiaChildren);
  // The Windows service host stops the agent by closing its stdin: a service has no console for Ctrl+C.
  if (shutdownOnStdin) {
    process.stdin.once('end', () => onSignal('stdin closed'));
    process.stdin.resume();
  }
  const client = new SidecarClient({ baseUrl: config.sidecarUrl, agentId: config.agentId, agentToken: config.agentToken, secrets });
  log.info('agent started', {
    sidecar: config.sidecarUrl, host: hostname(), platform: platform.name, fallbackRepository: config.repository?.type ?? 'none', parallelism: config.parallelism,
    allowedShares: config.allowedShares,
  });
  // First what this agent had in hand before it (re)started, then new commands.
  let resumable: ClaimedCommand[] | null = null;
  const resumed = new Set<number>();
  const next = async () => {
    if (resumable === null) {
      // A sidecar older than the resume route answers 404: nothing to resume there.
      resumable = await client.resumable().catch((thrown: unknown) => {
        if (thrown instanceof SidecarError && thrown.status === 404) return [];
        throw thrown;
      });
      for (const command of resumable) resumed.add(command.command_id);
    }
    return resumable.shift() ?? client.claim();
  };
  await runPollLoop({
    claim: next,
    handle: async (command) => {
      await runRestore({ config, client, log, openRepository, stopSignal: stop.signal, platform, secrets }, command, { resumed: resumed.has(command.command_id) });
    },
    log,
    intervalMs: config.pollIntervalMs,
    signal: stop.signal,
  });
  log.info('agent stopped');
}

main().then(
  () => process.exit(0),
  (thrown: unknown) => {
    process.stderr.write(`agent: ${secrets.scrub(coerceError(thrown).message)}\n`);
    process.exit(1);
  },
);
