// Compiles a JSON Schema once and turns ajv's errors into one sentence that names the field. Pure: the agent uses
// it too, for its config and for the payloads it receives.
import type { ErrorObject, JSONSchemaType } from 'ajv';
import { createAjv } from './ajv.js';

export type Validated<T> = { ok: true; value: T } | { ok: false; message: string };
export type Validator<T> = (input: unknown) => Validated<T>;

const ajv = createAjv('exact');

function fieldName(error: ErrorObject, root: string): string {
  const path = error.instancePath.replace(/^\//, '').replace(/\//g, '.').replace(/~1/g, '/').replace(/~0/g, '~');
  return path ? `${root}.${path}` : root;
}

export function describeError(error: ErrorObject, root = 'body'): string {
  const field = fieldName(error, root);
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'required':
      return `${field}.${String(params.missingProperty)} is required`;
    case 'additionalProperties':
      return `${field}.${String(params.additionalProperty)} is not allowed`;
    case 'type':
      return `${field} must be ${String(params.type)}`;
    case 'enum':
      return `${field} must be one of ${(params.allowedValues as unknown[]).join(', ')}`;
    case 'pattern':
      return `${field} has an invalid format`;
    default:
      return `${field} ${error.message ?? 'is invalid'}`;
  }
}

export function compileValidator<T>(schema: JSONSchemaType<T>, root = 'body'): Validator<T> {
  const check = ajv.compile(schema);
  return (input) => {
    if (check(input)) return { ok: true, value: input };
    const first = check.errors?.[0];
    return { ok: false, message: first ? describeError(first, root) : `${root} is invalid` };
  };
}
