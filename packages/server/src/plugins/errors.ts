import type { FastifyError, FastifyPluginCallback, FastifySchemaValidationError } from 'fastify';
import fastifyPlugin from 'fastify-plugin';
import type { ServerContext } from '../context.js';
import { toHttpError } from '../engine-errors.js';
import { errorBody, HttpError } from '../http-error.js';
import { jsonNestingExceeds, MAX_JSON_DEPTH } from '../limits.js';
import { typeboxValidator } from './validator.js';

const errors: FastifyPluginCallback<ServerContext> = (app, { config }, done) => {
  // TypeBox's compiler reports unknown properties instead of silently dropping them (Fastify's default Ajv
  // setup removes them), and checks route schemas exactly as written.
  app.setValidatorCompiler(typeboxValidator);

  // Fastify's own JSON parser (prototype-poisoning checks included), behind a nesting check on the raw text.
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, parsed) => {
    if (jsonNestingExceeds(body as string, MAX_JSON_DEPTH)) {
      parsed(new HttpError(400, `JSON nesting too deep (max ${MAX_JSON_DEPTH} levels)`), undefined);
      return;
    }
    void parseJson(request, body as string, (error, value) => {
      // Fastify's parser answers "invalid JSON" for a __proto__ (or constructor.prototype) key too; say which it was.
      if (error !== null && isPlainJson(body as string)) {
        parsed(new HttpError(400, 'JSON body contains a forbidden key (__proto__ or constructor.prototype)'), undefined);
        return;
      }
      parsed(error, value);
    });
  });

  app.setErrorHandler((error: FastifyError, request, reply) => {
    const answer = httpErrorOf(error, config.maxBodyBytes);
    if (answer.statusCode >= 500) request.log.error({ err: error, reqId: request.id }, 'request failed');
    return reply.code(answer.statusCode).send(errorBody(answer));
  });

  app.setNotFoundHandler((request, reply) =>
    reply.code(404).send(errorBody(new HttpError(404, `Route ${request.method} ${request.url.split('?')[0] ?? ''} not found`))),
  );
  done();
};

function isPlainJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

/** Every error becomes `{ error, statusCode, detail? }`; nothing carries a stack. */
export const errorsPlugin = fastifyPlugin(errors, { name: 'kilndb-errors', fastify: '5.x' });

/** The HTTP error a thrown error answers with: route validation, Fastify's body parsing, then the engine's errors. */
export function httpErrorOf(error: FastifyError, maxBodyBytes: number): HttpError {
  if (error instanceof HttpError) return error;
  if (error.validation !== undefined) return validationError(error.validation, error.validationContext ?? 'body');
  switch (error.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new HttpError(413, `Payload too large (max ${maxBodyBytes} bytes)`, { maxBytes: maxBodyBytes });
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return new HttpError(400, 'Body is empty but Content-Type is application/json');
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return new HttpError(400, 'Invalid JSON body');
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new HttpError(415, 'Unsupported Content-Type: send application/json');
    default:
  }
  if (error instanceof SyntaxError) return new HttpError(400, `Invalid JSON body: ${error.message}`);
  // Fastify's and its plugins' client errors (bad prototype keys, bad content length, rate limit, ...) keep
  // their status and message; the stack never goes out.
  const status = error.statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500) return new HttpError(status, error.message);
  return toHttpError(error);
}

/** One 400 naming the offending property (an unknown property first: the most likely typo). */
function validationError(issues: readonly FastifySchemaValidationError[], context: string): HttpError {
  const unknown = issues.find((issue) => issue.keyword === 'additionalProperties');
  if (unknown !== undefined) {
    const params = unknown.params as { additionalProperties?: unknown; additionalProperty?: unknown };
    const names = Array.isArray(params.additionalProperties) ? params.additionalProperties.map(String) : [String(params.additionalProperty)];
    const property = joinPath(unknown.instancePath, names[0] ?? '');
    return new HttpError(400, `Unknown property: '${property}'. Check the API docs for supported properties`, { in: context, property, unknown: names });
  }
  const [first] = issues;
  if (first === undefined) return new HttpError(400, `Invalid ${context}`);
  const params = first.params as { requiredProperties?: unknown; missingProperty?: unknown };
  if (first.keyword === 'required') {
    const missing = Array.isArray(params.requiredProperties) ? params.requiredProperties.map(String) : [String(params.missingProperty)];
    const property = joinPath(first.instancePath, missing[0] ?? '');
    return new HttpError(400, `Missing required property '${property}'`, { in: context, property, missing });
  }
  const property = joinPath(first.instancePath, '');
  const limit = (first.params as { limit?: unknown }).limit;
  if (first.keyword === 'maximum' && typeof limit === 'number' && property !== '') {
    return new HttpError(400, `'${property}' cannot exceed ${limit}`, { in: context, property, keyword: first.keyword });
  }
  const what = property === '' ? context : `${context} property '${property}'`;
  return new HttpError(400, `Invalid ${what}: ${first.message ?? 'is not acceptable'}`, { in: context, property, keyword: first.keyword });
}

/** `/sort/0` + `field` → `sort[0].field`. */
function joinPath(instancePath: string, name: string): string {
  const parts = instancePath
    .split('/')
    .slice(1)
    .map((part) => part.replaceAll('~1', '/').replaceAll('~0', '~'));
  if (name !== '') parts.push(name);
  return parts.reduce((path, part) => (/^\d+$/.test(part) ? `${path}[${part}]` : path === '' ? part : `${path}.${part}`), '');
}
