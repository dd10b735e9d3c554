// Query inputs of the admin routes, validated once with ajv; the TS types come from the same schemas.
import type { JSONSchemaType } from 'ajv';
import { createAjv } from '../lib/ajv.js';
import { errors } from '../lib/errors.js';
import { looseField } from '../lib/loose-input.js';
import { unsafeValueProblem } from '../lib/text-input.js';
import { RUN_STATUSES, type RunStatus } from './agent.js';

export interface AdminRunsQuery {
  status?: RunStatus;
  client_id?: number;
  vm?: string;
  page?: number;
  limit?: number;
}

export interface AdminAgentsQuery {
  client_id?: number;
}

/** The admin's VM search before starting a restore for a client: by client, VM (id or name) or job (id or name). */
export interface AdminVmsQuery {
  client_id?: number;
  vm?: string;
  job?: string;
}

const runsSchema: JSONSchemaType<AdminRunsQuery> = {
  type: 'object',
  additionalProperties: false,
  properties: {
    status: { type: 'string', enum: [...RUN_STATUSES], nullable: true },
    client_id: { type: 'integer', minimum: 1, maximum: 4294967295, nullable: true },
    vm: { type: 'string', minLength: 1, maxLength: 255, nullable: true },
    page: { type: 'integer', minimum: 1, maximum: 100000, nullable: true },
    limit: { type: 'integer', minimum: 1, maximum: 200, nullable: true },
  },
};

const agentsSchema: JSONSchemaType<AdminAgentsQuery> = {
  type: 'object',
  additionalProperties: false,
  properties: { client_id: { type: 'integer', minimum: 1, maximum: 4294967295, nullable: true } },
};

const vmsSchema: JSONSchemaType<AdminVmsQuery> = {
  type: 'object',
  additionalProperties: false,
  properties: {
    client_id: { type: 'integer', minimum: 1, maximum: 4294967295, nullable: true },
    vm: { type: 'string', minLength: 1, maxLength: 255, nullable: true },
    job: { type: 'string', minLength: 1, maxLength: 255, nullable: true },
  },
};

// coerceTypes: query strings arrive as text; removeAdditional is off so an unknown filter is an error, not ignored.
const ajv = createAjv('coercing');
const checkRuns = ajv.compile(runsSchema);
const checkAgents = ajv.compile(agentsSchema);
const checkVms = ajv.compile(vmsSchema);

/** Empty strings mean "no filter" (the admin form submits every field). */
function withoutEmpty(query: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(query).filter(([, v]) => v !== '' && v !== undefined));
}

function describe(errorsList: { instancePath: string; message?: string; params: Record<string, unknown> }[] | null | undefined): string {
  const first = errorsList?.[0];
  if (!first) return 'Invalid filter';
  const field = first.instancePath.replace(/^\//, '') || String(first.params.additionalProperty ?? 'filter');
  return first.params.additionalProperty ? `Unknown filter: ${field}` : `${field} ${first.message ?? 'is invalid'}`;
}

/**
 * A filter given in a form the admin API does not take (`client_id=0x0a`, `status[]=failed`) is refused, not read;
 * so is one with an invisible or control character.
 */
function refuseLoose(properties: Readonly<Record<string, unknown>>, query: Record<string, unknown>): void {
  const loose = looseField(properties, query);
  if (loose !== null) throw errors.invalid(`${loose} must be ${(properties[loose] as { type?: unknown }).type === 'integer' ? 'integer' : 'a single value'}`);
  for (const [key, value] of Object.entries(query)) {
    const problem = unsafeValueProblem(key, value);
    if (problem) throw errors.invalid(problem);
  }
}

export function parseAdminRunsQuery(query: Record<string, unknown>): AdminRunsQuery {
  refuseLoose(runsSchema.properties ?? {}, query);
  const value = withoutEmpty(query);
  if (!checkRuns(value)) throw errors.invalid(describe(checkRuns.errors));
  return value;
}

export function parseAdminAgentsQuery(query: Record<string, unknown>): AdminAgentsQuery {
  refuseLoose(agentsSchema.properties ?? {}, query);
  const value = withoutEmpty(query);
  if (!checkAgents(value)) throw errors.invalid(describe(checkAgents.errors));
  return value;
}

export function parseAdminVmsQuery(query: Record<string, unknown>): AdminVmsQuery {
  refuseLoose(vmsSchema.properties ?? {}, query);
  const value = withoutEmpty(query);
  if (!checkVms(value)) throw errors.invalid(describe(checkVms.errors));
  return value;
}
