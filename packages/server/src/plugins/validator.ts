import type { FastifySchemaCompiler } from 'fastify';
import type { TSchema } from 'typebox';
import { Compile } from 'typebox/compile';
import { Value } from 'typebox/value';

/**
 * Fastify's validator compiler over TypeBox's JIT checker. Only a query string is converted first (its values
 * arrive as strings and may be declared numbers or booleans): bodies are parsed JSON, and every params and
 * headers schema here is a string, so converting them would cost a GET a tenth of its time for nothing.
 */
export const typeboxValidator: FastifySchemaCompiler<TSchema> = ({ schema, httpPart }) => {
  const checker = Compile(schema);
  const convert = httpPart === 'querystring';
  return (input: unknown) => {
    const value = convert ? Value.Convert(schema, input) : input;
    return checker.Check(value) ? { value } : { error: checker.Errors(value) as never };
  };
};
