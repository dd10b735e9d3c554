// The platform of the host the agent runs on (or the one a test names).
import type { AgentPlatform } from './platform.js';
import { platformNameOf } from './platform.js';
import { createPosixPlatform } from './posix.js';
import { createWin32Platform, type Win32Options } from './win32.js';

export function createPlatform(nodePlatform: NodeJS.Platform = process.platform, win32: Win32Options = {}): AgentPlatform {
  return platformNameOf(nodePlatform) === 'win32' ? createWin32Platform(win32) : createPosixPlatform();
}
