// Inputs of the bridge's own routes (/bridge/notices/*, signed by the WHMCS module with neither a client nor an admin
// id): JSON bodies, validated exactly (no coercion), each field with the sentence it answers with when it is wrong.
import type { JSONSchemaType } from 'ajv';
import { createAjv } from '../lib/ajv.js';
import { errors } from '../lib/errors.js';

export const NOTICE_BATCH_MAX = 100;
const RUN_IDS = { type: 'array', items: { type: 'integer', minimum: 1, maximum: 4294967295 }, maxItems: NOTICE_BATCH_MAX, uniqueItems: true } as const;

export interface NoticeClaim {
  /** The module setting "E-mail the client when a restore ends", as the bridge has it now. */
  notify: 'on' | 'off';
  limit: number;
}

export interface NoticeAck {
  sent: number[];
  failed: number[];
}

const claimSchema: JSONSchemaType<NoticeClaim> = {
  type: 'object',
  additionalProperties: false,
  properties: {
    notify: { type: 'string', enum: ['on', 'off'] },
    limit: { type: 'integer', minimum: 1, maximum: NOTICE_BATCH_MAX },
  },
  required: ['notify', 'limit'],
};

const ackSchema: JSONSchemaType<NoticeAck> = {
  type: 'object',
  additionalProperties: false,
  properties: { sent: RUN_IDS, failed: RUN_IDS },
  required: ['sent', 'failed'],
};

const MESSAGES: Record<string, string> = {
  notify: 'notify must be on or off',
  limit: `limit must be a whole number from 1 to ${NOTICE_BATCH_MAX}`,
  sent: `sent must be a list of at most ${NOTICE_BATCH_MAX} different run ids`,
  failed: `failed must be a list of at most ${NOTICE_BATCH_MAX} different run ids`,
};

// Types are not coerced: the bridge sends JSON.
const ajv = createAjv('exact');

/** `defaults` fill the fields a body leaves out. */
function parser<T>(schema: JSONSchemaType<T>, defaults: Partial<T>): (body: unknown) => T {
  const check = ajv.compile(schema);
  return (body) => {
    if (!body || typeof body !== 'object' || Array.isArray(body)) throw errors.invalid('The request body must be a JSON object');
    const value: unknown = { ...defaults, ...body };
    if (check(value)) return value;
    const first = check.errors?.[0];
    if (first?.keyword === 'additionalProperties') throw errors.invalid(`${String(first.params.additionalProperty)} is not allowed`);
    const field = first?.keyword === 'required' ? String(first.params.missingProperty) : (first?.instancePath.split('/')[1] ?? '');
    throw errors.invalid(MESSAGES[field] ?? 'Bad request');
  };
}

export const NOTICE_DEFAULT_LIMIT = 50;
export const parseNoticeClaim = parser(claimSchema, { limit: NOTICE_DEFAULT_LIMIT });
export const parseNoticeAck = parser(ackSchema, { sent: [], failed: [] });
