import type { ErrorObject, ValidateFunction } from 'ajv';
import Ajv2020Module from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import type { JsonSchemaObject } from '../protocol/mcp.types.js';

/**
 * A schema library value that implements Standard Schema (validation) and Standard JSON Schema
 * (conversion), as zod 4, valibot (with its JSON Schema adapter) and arktype do. See
 * https://standardschema.dev.
 */
export interface StandardJsonSchema<Input = unknown, Output = Input> {
  readonly '~standard': {
    readonly version: 1;
    readonly vendor: string;
    readonly validate: (value: unknown) => StandardResult<Output> | Promise<StandardResult<Output>>;
    readonly jsonSchema?: {
      readonly input: (options: { target: string }) => Record<string, unknown>;
      readonly output: (options: { target: string }) => Record<string, unknown>;
    };
    readonly types?: { readonly input: Input; readonly output: Output };
  };
}

type StandardResult<Output> =
  | { readonly value: Output; readonly issues?: undefined }
  | { readonly issues: ReadonlyArray<{ readonly message: string; readonly path?: ReadonlyArray<PropertyKey | { key: PropertyKey }> }> };

/** What a tool declares as `input` or `output`: a Standard Schema (zod 4, ...) or a JSON Schema object. */
export type McpSchema = StandardJsonSchema | JsonSchemaObject;

export type ValidationResult = { ok: true; value: unknown } | { ok: false; message: string };

/** A schema ready for use: its JSON Schema for the wire and a validator compiled once. */
export interface CompiledSchema {
  jsonSchema: JsonSchemaObject;
  validate(value: unknown): ValidationResult | Promise<ValidationResult>;
}

export const isStandardSchema = (schema: unknown): schema is StandardJsonSchema =>
  typeof schema === 'object' && schema !== null && '~standard' in schema;

type AjvInstance = {
  compile(schema: object): ValidateFunction;
  errorsText(errors: ErrorObject[] | null | undefined, options?: { dataVar?: string }): string;
};
let sharedAjv: AjvInstance | undefined;

/** One ajv for all tools: JSON Schema 2020-12 (MCP 2025-11-25's default dialect, SEP-1613) + formats. */
function ajv(): AjvInstance {
  if (!sharedAjv) {
    // ajv ships CommonJS with its export on `.default` too: the same property from ESM and from CommonJS.
    const Ajv2020 = (Ajv2020Module as unknown as { default: new (options: object) => AjvInstance }).default;
    const addFormats = (addFormatsModule as unknown as { default: (ajv: AjvInstance) => void }).default;
    sharedAjv = new Ajv2020({ allErrors: true, strict: false, validateFormats: true });
    addFormats(sharedAjv);
  }
  return sharedAjv;
}

const formatPath = (path: ReadonlyArray<PropertyKey | { key: PropertyKey }> | undefined): string =>
  (path ?? []).map((segment) => String(typeof segment === 'object' ? segment.key : segment)).join('.');

/**
 * Compiles a schema once at bootstrap. `direction` picks the JSON Schema of what the schema
 * accepts (`input`, e.g. fields with defaults are optional) or of what it produces (`output`).
 */
export function compileSchema(schema: McpSchema, direction: 'input' | 'output', owner: string): CompiledSchema {
  if (isStandardSchema(schema)) {
    const standard = schema['~standard'];
    if (!standard.jsonSchema) {
      throw new Error(
        `${owner}: the ${standard.vendor} schema cannot be converted to JSON Schema. ` +
          'Use a library that implements Standard JSON Schema (zod >= 4.2, ...) or pass a JSON Schema object.',
      );
    }
    const jsonSchema = standard.jsonSchema[direction]({ target: 'draft-2020-12' }) as JsonSchemaObject;
    return {
      jsonSchema,
      validate: async (value) => {
        const result = await standard.validate(value);
        if (!result.issues) return { ok: true, value: result.value };
        const message = result.issues
          .map((issue) => (issue.path?.length ? `${formatPath(issue.path)}: ${issue.message}` : issue.message))
          .join('; ');
        return { ok: false, message };
      },
    };
  }
  if (typeof schema !== 'object' || schema === null || Array.isArray(schema)) {
    throw new Error(`${owner}: a schema must be a Standard Schema (zod 4, ...) or a JSON Schema object.`);
  }
  let check: ValidateFunction;
  try {
    check = ajv().compile(schema);
  } catch (error) {
    throw new Error(`${owner}: invalid JSON Schema: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
  return {
    jsonSchema: schema,
    validate: (value) =>
      check(value)
        ? { ok: true, value }
        : { ok: false, message: ajv().errorsText(check.errors, { dataVar: direction === 'input' ? 'arguments' : 'structuredContent' }) },
  };
}
