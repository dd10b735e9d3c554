// The agent's version is the package's. A single executable has no package.json beside it, so the release bundle
// replaces this module with the constant (packaging/bundle.ts).
import { createRequire } from 'node:module';

const manifest = createRequire(import.meta.url)('../../package.json') as { version: string };

export const agentVersion: string = manifest.version;
