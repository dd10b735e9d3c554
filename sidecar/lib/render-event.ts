// Renders an event's text from its message id and params (read time, so texts can improve without migrations).
import { BYTE_PARAMS, EVENT_CATALOGUE, isMessageId } from './event-catalogue.js';
import { formatBytes } from './format-bytes.js';

const FALLBACK = 'Update received.';

function paramText(name: string, value: unknown): string | null {
  if (value === null || value === undefined) return null;
  if (BYTE_PARAMS.has(name)) {
    const n = typeof value === 'number' ? value : Number(value);
    if (Number.isFinite(n)) return formatBytes(n);
  }
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value);
}

export function renderEventMessage(messageId: string | null, params: Record<string, unknown>): string {
  if (!messageId || !isMessageId(messageId)) {
    return typeof params.message === 'string' && params.message.trim() !== '' ? params.message : FALLBACK;
  }
  // A placeholder without a param renders as "-", never as a literal "{name}" (a reference defect).
  return EVENT_CATALOGUE[messageId].text.replace(/\{([A-Za-z0-9_]+)\}/g, (_m, name: string) => paramText(name, params[name]) ?? '-');
}
