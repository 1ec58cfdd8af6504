// Replies are written by fast-json-stringify, compiled once per schema from the JSON Schema of the
// route's zod response schema (the schema the OpenAPI document shows): only declared properties
// are written, in one pass, instead of a zod encode and JSON.stringify on every reply
// (docs/decisions/015). Values are not validated on the way out; the types that build them are.
import fastJson from 'fast-json-stringify';
import type { FastifySerializerCompiler } from 'fastify/types/schema.js';
import { z } from 'zod';

type JsonSchema = Record<string, unknown>;

type Serialize = (data: unknown) => string;

/**
 * Compiled serializers by schema, for the life of the process: an app built again in the same
 * process (each test builds its own) reuses them instead of compiling every route anew.
 */
const compiled = new WeakMap<z.ZodType, Serialize>();

export const serializerCompiler: FastifySerializerCompiler<z.ZodType> = ({ schema }) => {
  let serialize = compiled.get(schema);
  if (!serialize) {
    serialize = fastJson(
      simplifyNullables(
        z.toJSONSchema(schema, { io: 'output', target: 'draft-7', unrepresentable: 'any' }),
      ) as Parameters<typeof fastJson>[0],
    );
    compiled.set(schema, serialize);
  }
  return serialize;
};

/**
 * `anyOf: [{ type: T, … }, { type: 'null' }]` (zod's nullable) becomes `{ type: [T, 'null'], … }`,
 * which fast-json-stringify writes directly instead of trying each branch in turn.
 */
function simplifyNullables(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(simplifyNullables);
  if (typeof node !== 'object' || node === null) return node;
  const schema: JsonSchema = Object.fromEntries(
    Object.entries(node).map(([key, value]) => [key, simplifyNullables(value)]),
  );
  const branches = schema.anyOf;
  if (!Array.isArray(branches) || branches.length !== 2) return schema;
  const [first, second] = branches as JsonSchema[];
  const value = isNullType(second) ? first : isNullType(first) ? second : undefined;
  if (!value || typeof value.type !== 'string' || value.type === 'object') return schema;
  const { anyOf: _anyOf, ...rest } = schema;
  return { ...rest, ...value, type: [value.type, 'null'] };
}

function isNullType(schema: JsonSchema | undefined): boolean {
  return schema?.type === 'null' && Object.keys(schema).length === 1;
}
