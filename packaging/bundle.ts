// Bundles the agent into one CommonJS script for Node's single-executable application (a SEA runs one script and
// can only require built-in modules). Paths in the output and the metafile are relative to the checkout, so two
// checkouts of the same commit give the same bytes.
import { writeFileSync } from 'node:fs';
import { build, type Metafile, type Plugin } from 'esbuild';

export interface AgentBundle {
  script: string;
  metafile: Metafile;
}

// The executable has no package.json beside it: agent/version.ts becomes the constant.
function versionConstant(version: string): Plugin {
  return {
    name: 'agent-version',
    setup(on) {
      on.onResolve({ filter: /\/version\.js$/ }, (args) =>
        args.importer.endsWith('agent/main.ts') ? { path: 'agent-version', namespace: 'agent-version' } : undefined);
      on.onLoad({ filter: /.*/, namespace: 'agent-version' }, () => ({
        contents: `export const agentVersion = ${JSON.stringify(version)};`, loader: 'js',
      }));
    },
  };
}

export async function bundleAgent(root: string, script: string, metafileOut: string, version: string): Promise<AgentBundle> {
  const result = await build({
    absWorkingDir: root,
    entryPoints: ['agent/main.ts'],
    outfile: script,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    metafile: true,
    legalComments: 'eof',
    logLevel: 'warning',
    plugins: [versionConstant(version)],
  });
  writeFileSync(metafileOut, JSON.stringify(result.metafile, null, 1));
  return { script, metafile: result.metafile };
}
