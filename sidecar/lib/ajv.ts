// The one place ajv instances are made, so every schema is compiled under the same strict rules. Two flavours:
// `exact` for JSON bodies and payloads (types must already be right), `coercing` for query strings and forms,
// whose values all arrive as text.
import { Ajv, type Options } from 'ajv';

export type AjvFlavour = 'exact' | 'coercing';

// strictRequired off: an if/then may require a property its parent schema defines.
const BASE: Options = { allErrors: false, strict: true, strictRequired: false, allowUnionTypes: true };

export function createAjv(flavour: AjvFlavour): Ajv {
  return new Ajv(flavour === 'coercing' ? { ...BASE, coerceTypes: true, useDefaults: true } : BASE);
}
