// validate(schema, messages) -> a function that turns an untrusted query/body into its typed value, or throws a
// 400 AppError with the field's message. Empty strings count as absent (forms and query strings send them).
import type { JSONSchemaType, ValidateFunction } from 'ajv';
import { createAjv } from '../lib/ajv.js';
import { errors } from '../lib/errors.js';
import { looseField } from '../lib/loose-input.js';
import { unsafeValueProblem } from '../lib/text-input.js';
import type { FieldMessages } from '../schemas/client.js';

const ajv = createAjv('coercing');

function withoutEmpty(input: unknown): Record<string, unknown> {
  if (!input || typeof input !== 'object' || Array.isArray(input)) return {};
  return Object.fromEntries(Object.entries(input).filter(([, v]) => v !== '' && v !== undefined && v !== null));
}

function fieldOf(error: NonNullable<ValidateFunction['errors']>[number]): { field: string; missing: boolean } {
  if (error.keyword === 'required') return { field: String(error.params.missingProperty), missing: true };
  return { field: error.instancePath.split('/')[1] ?? '', missing: false };
}

export function validator<T>(schema: JSONSchemaType<T>, messages: FieldMessages): (input: unknown) => T {
  const check = ajv.compile(schema);
  const keys = Object.keys(schema.properties ?? {});
  return (input) => {
    const loose = looseField(schema.properties ?? {}, input);
    if (loose !== null) throw errors.invalid(messages[loose]?.invalid ?? `${loose} is not valid`);
    const present = withoutEmpty(input);
    // Only the schema's own keys are kept: the bridge may add fields (e.g. WHMCS's CSRF token) we do not use.
    const value: Record<string, unknown> = Object.fromEntries(keys.filter((k) => k in present).map((k) => [k, present[k]]));
    // ajv would coerce true to 1 (a valid id); no field of ours is a boolean, so a boolean is always a mistake.
    const boolean = Object.keys(value).find((k) => typeof value[k] === 'boolean');
    if (boolean === undefined && check(value)) {
      for (const key of Object.keys(value)) {
        const problem = unsafeValueProblem(key, value[key]);
        if (problem) throw errors.invalid(problem);
      }
      return value as T;
    }
    if (boolean !== undefined) throw errors.invalid(messages[boolean]?.invalid ?? `${boolean} is not valid`);
    const { field, missing } = fieldOf(check.errors![0]!);
    const text = messages[field];
    throw errors.invalid(text ? (missing ? (text.required ?? text.invalid) : text.invalid) : `${field || 'input'} is not valid`);
  };
}
